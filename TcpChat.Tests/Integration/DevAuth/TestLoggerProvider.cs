using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace TcpChat.Tests.Integration.DevAuth;

/// <summary>Writes server logs (Information and up) to NUnit's progress stream, so a failing test shows why.</summary>
internal sealed class TestLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new TestLogger(categoryName);

    public void Dispose()
    {
    }

    private sealed class TestLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                TestContext.Progress.WriteLine($"{logLevel} {category}[{eventId.Id}]: {formatter(state, exception)}{(exception is null ? "" : Environment.NewLine + exception)}");
            }
        }
    }
}

using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace TcpChat.Tests.Infrastructure;

/// <summary>The tests' one logger: server and endpoint logs go to the test's output (shown for failing tests), with event ids.</summary>
public sealed class NUnitLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string line = $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel,-11} {category.Split('.')[^1]}[{eventId.Id}]: {formatter(state, exception)}";
            if (exception is not null)
            {
                line += " " + exception.GetType().Name + ": " + exception.Message;
            }

            TestContext.Out.WriteLine(line);
        }
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TcpChat.Tests.Infrastructure;

/// <summary>Keeps every log line, rendered as the console logger would (message, then the exception), for tests that judge the log itself.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLine> _lines = new();

    public IReadOnlyList<CapturedLine> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<CapturedLine> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string text = formatter(state, exception) + (exception is null ? "" : " " + exception);
            lines.Enqueue(new CapturedLine(logLevel, category, eventId.Id, text, exception is not null));
        }
    }
}

/// <summary>One captured log line; <c>Text</c> is the message followed by the exception's full text, as a console line would show it.</summary>
public sealed record CapturedLine(LogLevel Level, string Category, int EventId, string Text, bool HasException);

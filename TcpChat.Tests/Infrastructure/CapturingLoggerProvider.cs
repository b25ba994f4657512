using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TcpChat.Tests.Infrastructure;

/// <summary>
/// Keeps every log line, rendered as the console logger would (message, then the exception), with the values of the
/// scopes it was written in, for tests that judge the log itself.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLine> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<CapturedLine> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(string category, CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new Dictionary<string, object?>(StringComparer.Ordinal);
            owner._scopes.ForEachScope(
                static (values, into) =>
                {
                    if (values is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, value) in pairs)
                        {
                            into[key] = value;
                        }
                    }
                },
                scope);
            string text = formatter(state, exception) + (exception is null ? "" : " " + exception);
            owner._lines.Enqueue(new CapturedLine(logLevel, category, eventId.Id, text, exception is not null, scope));
        }
    }
}

/// <summary>
/// One captured log line; <c>Text</c> is the message followed by the exception's full text, as a console line would
/// show it; <c>Scope</c> holds the values of the scopes it was written in (e.g. a connection's id and user id).
/// </summary>
public sealed record CapturedLine(LogLevel Level, string Category, int EventId, string Text, bool HasException, IReadOnlyDictionary<string, object?> Scope);

using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Integration;

/// <summary>Issue 14 item 9 and issue 13 item 5: what a connection's events carry, and a quiet normal stop.</summary>
public class ConnectionLoggingTests
{
    [Test, CancelAfter(TestTimeouts.Test)]
    public async Task EveryEventOfAConnectionCarriesItsScopeAndALoginIsLoggedOnce(CancellationToken cancellationToken)
    {
        var capture = new CapturingProvider();
        var server = await ChatServerFixture.StartAsync();
        try
        {
            server.Services.GetRequiredService<ILoggerFactory>().AddProvider(capture);
            await using var client = await server.SignUpAsync("scoped");
            await client.SendAsync("/ping");
            await client.ExpectAsync("OK PONG");

            var logins = capture.Events.Where(e => e.Message.Contains(" logged in as user ", StringComparison.Ordinal)).ToList();
            Assert.That(logins, Has.Count.EqualTo(1), "a successful login is logged once");
            var scope = logins[0].Scope;
            Assert.That(scope.ContainsKey("ConnectionId") && scope.ContainsKey("RemoteEndPoint"), Is.True, string.Join(", ", scope.Keys));
            Assert.That(scope.GetValueOrDefault("UserId"), Is.Not.Null, "the user id is in the scope once known");
            Assert.That(logins[0].Message, Does.Contain(scope["UserId"]!.ToString()));
        }
        finally
        {
            await server.DisposeAsync();
        }

        Assert.That(capture.Events.Where(e => e.Level >= LogLevel.Error).Select(e => e.Message), Is.Empty, "a normal stop logs no failure (the accept loop ends quietly)");
    }

    private sealed record Event(LogLevel Level, string Message, Dictionary<string, object?> Scope);

    /// <summary>Keeps every event with the values of the scopes it was written in.</summary>
    private sealed class CapturingProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ConcurrentQueue<Event> Events { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = new Dictionary<string, object?>(StringComparer.Ordinal);
                owner._scopes.ForEachScope(
                    static (scope, into) =>
                    {
                        if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                        {
                            foreach (var (key, value) in pairs)
                            {
                                into[key] = value;
                            }
                        }
                    },
                    values);
                owner.Events.Enqueue(new Event(logLevel, formatter(state, exception) + (exception is null ? string.Empty : " " + exception.Message), values));
            }
        }
    }
}

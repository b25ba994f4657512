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
        var capture = new CapturingLoggerProvider();
        var server = await ChatServerFixture.StartAsync();
        try
        {
            server.Services.GetRequiredService<ILoggerFactory>().AddProvider(capture);
            await using var client = await server.SignUpAsync("scoped");
            await client.SendAsync("/ping");
            await client.ExpectAsync("OK PONG");

            var logins = capture.Lines.Where(e => e.Text.Contains(" logged in as user ", StringComparison.Ordinal)).ToList();
            Assert.That(logins, Has.Count.EqualTo(1), "a successful login is logged once");
            var scope = logins[0].Scope;
            Assert.That(scope.ContainsKey("ConnectionId") && scope.ContainsKey("RemoteEndPoint"), Is.True, string.Join(", ", scope.Keys));
            Assert.That(scope.GetValueOrDefault("UserId"), Is.Not.Null, "the user id is in the scope once known");
            Assert.That(logins[0].Text, Does.Contain(scope["UserId"]!.ToString()));
        }
        finally
        {
            await server.DisposeAsync();
        }

        Assert.That(capture.Lines.Where(e => e.Level >= LogLevel.Error).Select(e => e.Text), Is.Empty, "a normal stop logs no failure (the accept loop ends quietly)");
    }
}

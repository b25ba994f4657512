using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Integration;

/// <summary>Issue 13, the first hour of a new operator: what the log says when Supabase is down, and what it never says.</summary>
[CancelAfter(TestTimeouts.Test)]
public class FirstHourTests
{
    [Test]
    public async Task Issue13LoginsAgainstAnUnreachableProjectLogOneShortLinePerFailedCall()
    {
        int port = RefusingPort();
        string url = $"http://127.0.0.1:{port}";
        var logs = new CapturingLoggerProvider();
        await using var server = await ChatServerFixture.StartAsync(logs, $"Supabase:Url={url}", "Supabase:AnonKey=sb_publishable_outage_test");

        const int Logins = 6;
        for (int i = 0; i < Logins; i++)
        {
            await using var client = await server.ConnectAsync();
            await client.SendAsync($"AUTH {ChatServerFixture.NewEmail("outage")} some-password");
            await client.ExpectNextAsync("ERR AUTH_UNAVAILABLE ");
        }

        var shown = logs.Lines.Where(l => l.Level >= LogLevel.Information).ToList();
        var failures = shown.Where(l => l.EventId == 1003).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(shown.Where(l => l.HasException), Is.Empty, "stack traces only at Debug");
            Assert.That(shown.Select(l => l.Text), Has.All.Length.LessThan(300), "short lines");
            Assert.That(shown.Select(l => l.Text), Has.None.Contain("   at ").And.None.Contain("status 0").And.None.Contain("(null)"));
            Assert.That(failures, Has.Count.EqualTo(Logins), "one line per failed call");
            Assert.That(failures.Select(l => l.Text), Has.All.Contain($"POST {url}/auth/v1/token").And.All.Contain("3 attempts").And.All.Contain("refused"));
            Assert.That(shown, Has.Count.LessThanOrEqualTo(20 + (3 * Logins)), "bounded: start-up lines plus a few per login");
            Assert.That(shown.Where(l => l.Text.Contains(url, StringComparison.Ordinal) && l.EventId != 1003), Has.Exactly(1).Items, "one start line names the project");
            Assert.That(shown.Select(l => l.Text), Has.None.Contain("sb_publishable_outage_test"), "never the key");
        }
    }

    [Test]
    public async Task Issue13RecoverOfSomethingThatIsNotAnEmailIsInvalidEmail()
    {
        await using var server = await ChatServerFixture.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.SendAsync("RECOVER not-an-email");
        await client.ExpectNextAsync("ERR INVALID_EMAIL ");

        // Valid addresses still get the same answer whether or not an account exists.
        await client.SendAsync("RECOVER " + ChatServerFixture.NewEmail("nobody"));
        await client.ExpectNextAsync("OK RECOVER ");
    }

    [Test]
    public async Task Issue13TheEmbeddedEndpointLogsOnlyTheEmailDomain()
    {
        var logs = new CapturingLoggerProvider();
        await using var server = await ChatServerFixture.StartAsync(logs, "DevAuth:AutoConfirm=false");
        string email = ChatServerFixture.NewEmail("private");
        await using (var client = await server.ConnectAsync())
        {
            await client.SendAsync($"SIGNUP {email} correct-horse");
            await client.ExpectNextAsync("OK SIGNUP ");
        }

        await using (var client = await server.ConnectAsync())
        {
            await client.SendAsync($"RECOVER {email}");
            await client.ExpectNextAsync("OK RECOVER ");
        }

        string local = email[..email.IndexOf('@', StringComparison.Ordinal)];
        var devAuth = logs.Lines.Where(l => l.Category.StartsWith("TcpChat.DevAuth", StringComparison.Ordinal)).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(devAuth.Where(l => l.EventId is 2014).Select(l => l.Text), Has.Some.Contain("example.com"), "the mail-written lines are there");
            Assert.That(logs.Lines.Select(l => l.Text), Has.None.Contain(local), "no log line holds the address");
        }
    }

    /// <summary>A loopback port nobody listens on: bound, then closed, so connecting is refused.</summary>
    private static int RefusingPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

using NUnit.Framework;
using TcpChat.DevAuth;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Integration;

/// <summary>Stopping the server: every client, whatever it is doing, gets the two shutdown lines as its last lines.</summary>
[CancelAfter(TestTimeouts.Test)]
public class ShutdownTests
{
    [Test]
    public async Task EveryClientGetsTheShutdownLinesLastEvenMidLoginOrMidChat()
    {
        var server = await ChatServerFixture.StartAsync();
        var chatter = await server.SignUpAsync("chatter");
        var listener = await server.SignUpAsync("listener");
        await chatter.ExpectAsync("#lobby * " + listener.Nick + " joined");
        var anonymous = await server.ConnectAsync();

        // A login in flight: its call to Supabase is waiting when the server stops.
        var midLogin = await server.ConnectAsync();
        server.DevAuth.Faults.Set(DevAuthFaultMode.Delay, TimeSpan.FromSeconds(30));
        await midLogin.SendAsync("AUTH someone@example.com whatever-password");
        await server.DevAuth.Faults.Delaying.WaitAsync(TestTimeouts.Default);

        // Chat keeps flowing while the server stops: nothing may come after the shutdown lines.
        await chatter.SendRawAsync(System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 200).Select(i => $"line {i}\n"))));
        await server.DisposeAsync();

        foreach (var client in new[] { chatter, listener, anonymous, midLogin })
        {
            var lines = await client.ReadUntilClosedAsync();
            Assert.That(lines, Has.Count.GreaterThanOrEqualTo(2));
            Assert.That(lines[^2], Is.EqualTo("* server shutting down"));
            Assert.That(lines[^1], Does.StartWith("ERR SHUTTING_DOWN "));
        }
    }
}

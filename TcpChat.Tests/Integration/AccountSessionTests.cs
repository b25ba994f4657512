using NUnit.Framework;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Integration;

/// <summary>Two connections of one account over real sockets: one nick, one member, each other's lines, both get /msg.</summary>
[CancelAfter(TestTimeouts.Test)]
public class AccountSessionTests
{
    private ChatServerFixture _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await ChatServerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    [Test]
    public async Task TwoSessionsOfOneAccountShareTheNickAndTheRoom()
    {
        string room = "#acct" + Guid.NewGuid().ToString("N")[..8];
        await using var bob = await _server.SignUpAsync("bob");
        string email = ChatServerFixture.NewEmail("alice");
        await using var laptop = await _server.ConnectAsync();
        await laptop.SendAsync($"SIGNUP {email} correct horse");
        laptop.Nick = (await laptop.ExpectNextAsync("OK AUTH "))["OK AUTH ".Length..];
        await laptop.ExpectNextAsync("OK JOIN #lobby");

        await bob.SendAsync("/join " + room);
        await bob.ExpectAsync("OK JOIN " + room);
        await laptop.SendAsync("/join " + room);
        await laptop.ExpectAsync("OK JOIN " + room);
        await bob.ExpectAsync($"{room} * {laptop.Nick} joined");

        await using var phone = await _server.ConnectAsync();
        await phone.SendAsync($"AUTH {email} correct horse");
        Assert.That(await phone.ExpectNextAsync("OK AUTH "), Is.EqualTo("OK AUTH " + laptop.Nick), "the account's nick, not a numbered one");
        await phone.ExpectNextAsync("OK JOIN #lobby");
        await phone.SendAsync("/join " + room);
        await phone.ExpectNextAsync("OK JOIN " + room);

        await laptop.SendAsync("from the laptop");
        Assert.That(await phone.ExpectNextAsync(room + " "), Is.EqualTo($"{room} {laptop.Nick}: from the laptop"));
        // bob sees the line, and no second join event came before it.
        Assert.That(await bob.ExpectNextAsync(room + " "), Is.EqualTo($"{room} {laptop.Nick}: from the laptop"));

        await bob.SendAsync("/who " + room);
        var (rows, ok) = await bob.ReadListingAsync("OK WHO");
        Assert.That(ok, Is.EqualTo($"OK WHO {room} 2"));
        Assert.That(rows.Count(r => r.StartsWith("USER " + laptop.Nick, StringComparison.Ordinal)), Is.EqualTo(1));

        await bob.SendAsync($"/msg {laptop.Nick} psst");
        await bob.ExpectAsync("OK MSG " + laptop.Nick);
        await laptop.ExpectAsync("@" + bob.Nick + ": psst");
        await phone.ExpectAsync("@" + bob.Nick + ": psst");

        // The laptop's own line never came back to it: the next thing it gets is its pong.
        await laptop.SendAsync("/ping");
        Assert.That(await laptop.ReadLineAsync(), Is.EqualTo("OK PONG"));
    }
}

using NUnit.Framework;
using TcpChat.Server.Chat;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Unit.Chat;

/// <summary>Accounts in memory: one nick per account, kept by the store; several sessions of one account as one member.</summary>
[CancelAfter(TestTimeouts.Test)]
public class AccountTests
{
    private ChatHarness _chat = null!;

    [SetUp]
    public async Task SetUpAsync() => _chat = await ChatHarness.StartAsync(new ChatOptions { MessagesPerSecond = 0, MaxSessionsPerAccount = 2 });

    [TearDown]
    public async Task TearDownAsync() => await _chat.DisposeAsync();

    [Test]
    public async Task ASecondSessionGetsTheAccountsNickAndTheRoomSeesOneMember()
    {
        var bob = await _chat.LoggedInAsync("bob");
        var laptop = await _chat.LoggedInAsync("alice");
        Assert.That(bob.New, Is.EqualTo(new[] { "#lobby * alice joined" }));
        var phone = await _chat.LoggedInAsync("alice", expectedNick: "alice");
        Assert.That(bob.New, Is.Empty, "the account was already in the lobby");
        Assert.That(laptop.New, Is.Empty);

        await _chat.SendAsync(bob, "/who");
        Assert.That(bob.New, Is.EqualTo(new[] { "USER alice", "USER bob", "OK WHO #lobby 2" }));
        await _chat.SendAsync(bob, "/rooms");
        Assert.That(bob.New, Is.EqualTo(new[] { "ROOM #lobby 2", "OK ROOMS 1" }));

        _chat.Drop(laptop);
        Assert.That(bob.New, Is.Empty, "the phone is still in the lobby");
        await _chat.SendAsync(phone, "/leave");
        Assert.That(bob.New, Is.EqualTo(new[] { "#lobby * alice left" }));
    }

    [Test]
    public async Task ALineFromOneSessionReachesTheAccountsOtherSessionsButNotItself()
    {
        var laptop = await _chat.LoggedInAsync("alice");
        var phone = await _chat.LoggedInAsync("alice");
        var bob = await _chat.LoggedInAsync("bob");
        _ = laptop.New;
        _ = phone.New;
        await _chat.SendAsync(laptop, "from the laptop");
        Assert.That(phone.New, Is.EqualTo(new[] { "#lobby alice: from the laptop" }));
        Assert.That(bob.New, Is.EqualTo(new[] { "#lobby alice: from the laptop" }));
        Assert.That(laptop.New, Is.Empty);
    }

    [Test]
    public async Task MsgReachesEverySessionOfTheAccount()
    {
        var laptop = await _chat.LoggedInAsync("alice");
        var phone = await _chat.LoggedInAsync("alice");
        var bob = await _chat.LoggedInAsync("bob");
        _ = laptop.New;
        _ = phone.New;
        await _chat.SendAsync(bob, "/msg ALICE psst");
        Assert.That(bob.New, Is.EqualTo(new[] { "OK MSG alice" }));
        Assert.That(laptop.New, Is.EqualTo(new[] { "@bob: psst" }));
        Assert.That(phone.New, Is.EqualTo(new[] { "@bob: psst" }));

        _chat.Drop(laptop);
        _chat.Drop(phone);
        Assert.That(bob.New, Is.EqualTo(new[] { "#lobby * alice quit (connection closed)" }), "one quit, with the last session");
        await _chat.SendAsync(bob, "/msg alice still there?");
        Assert.That(bob.New, Is.EqualTo(new[] { "ERR NO_SUCH_USER nobody is called alice" }), "an account with no session online");
    }

    [Test]
    public async Task ANickChangeOnOneSessionChangesAllAndEachRoomHearsItOnce()
    {
        var laptop = await _chat.LoggedInAsync("alice");
        var phone = await _chat.LoggedInAsync("alice");
        var bob = await _chat.LoggedInAsync("bob");
        await _chat.SendAsync(phone, "/join rust");
        await _chat.SendAsync(bob, "/join rust");
        _ = laptop.New;
        _ = phone.New;
        _ = bob.New;

        await _chat.SendAsync(laptop, "/nick Al");
        Assert.That(laptop.New, Is.EqualTo(new[] { "OK NICK Al" }));
        Assert.That(bob.New, Is.EquivalentTo(new[] { "#lobby * alice is now known as Al", "#rust * alice is now known as Al" }));
        Assert.That(phone.New, Is.EquivalentTo(new[] { "#lobby * alice is now known as Al", "#rust * alice is now known as Al" }));
        Assert.That(phone.Nick, Is.EqualTo("Al"));
        await _chat.SendAsync(phone, "hi");
        Assert.That(bob.New, Is.EqualTo(new[] { "#rust Al: hi" }));
    }

    [Test]
    public async Task ANickIsKeptAcrossLoginsAndRestartsAndAnOfflineOwnersNickIsTaken()
    {
        var alice = await _chat.LoggedInAsync("alice");
        await _chat.SendAsync(alice, "/nick queen");
        Assert.That(alice.New, Is.EqualTo(new[] { "OK NICK queen" }));
        _chat.Drop(alice);

        await _chat.LoggedInAsync("alice", expectedNick: "queen");
        await _chat.RestartAsync();
        var again = await _chat.LoggedInAsync("alice", expectedNick: "queen");

        var bob = await _chat.LoggedInAsync("bob");
        _chat.Drop(again);
        Assert.That(bob.New, Is.EqualTo(new[] { "#lobby * queen quit (connection closed)" }));
        await _chat.SendAsync(bob, "/nick Queen");
        Assert.That(bob.New, Is.EqualTo(new[] { "ERR NICK_TAKEN Queen is taken" }), "owned by an account that is offline");

        // The old nick is free again, and a newcomer whose email would give it takes it.
        var alice2 = _chat.Connect();
        await _chat.SendAsync(bob, "/nick alice");
        Assert.That(bob.New, Is.EqualTo(new[] { "OK NICK alice" }));
        await _chat.SendAsync(alice2, "AUTH alice@other.example right");
        Assert.That(alice2.New, Is.EqualTo(new[] { "OK AUTH alice2", "OK JOIN #lobby" }), "another account owns alice");
    }

    [Test]
    public async Task OneSessionTooManyIsRefusedAndClosed()
    {
        await _chat.LoggedInAsync("alice");
        await _chat.LoggedInAsync("alice");
        var third = _chat.Connect();
        Assert.That(await _chat.SendAsync(third, "AUTH alice@example.com right"), Is.False);
        Assert.That(third.Received, Is.EqualTo(new[] { "ERR TOO_MANY_SESSIONS your account has the most sessions allowed; log out elsewhere first; closing\n" }));
        Assert.That(((FakeOutput)third.Output).Closed, Is.True);
        _chat.Drop(third); // as its connection would: nothing to undo
    }

    [Test]
    public async Task HistoryOutlivesTheRoomsMembersAndARestart()
    {
        var alice = await _chat.LoggedInAsync("alice");
        await _chat.SendAsync(alice, "/join quiet");
        await _chat.SendAsync(alice, "remember me");
        await _chat.SendAsync(alice, "/leave");
        _ = alice.New;
        await _chat.SendAsync(alice, "/join quiet");
        await _chat.SendAsync(alice, "/history");
        var lines = alice.New;
        Assert.That(lines[0], Is.EqualTo("OK JOIN #quiet"));
        Assert.That(lines[1], Does.Match(@"^HIST #quiet \S+Z alice: remember me$"));
        Assert.That(lines[2], Is.EqualTo("OK HISTORY #quiet 1"));

        await _chat.RestartAsync();
        alice = await _chat.LoggedInAsync("alice");
        await _chat.SendAsync(alice, "/join quiet");
        await _chat.SendAsync(alice, "/history #quiet");
        lines = alice.New;
        Assert.That(lines, Has.Count.EqualTo(3));
        Assert.That(lines[1], Does.Match(@"^HIST #quiet \S+Z alice: remember me$"));
        Assert.That(lines[2], Is.EqualTo("OK HISTORY #quiet 1"));
    }
}

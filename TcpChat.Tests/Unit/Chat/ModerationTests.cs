using NUnit.Framework;
using TcpChat.Server.Chat;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Unit.Chat;

/// <summary>
/// Owners, operators, topics, kicks and bans in memory, over a real store. alice creates #rust and owns it; bob and
/// carol are ordinary members; boss@example.com is a server operator.
/// </summary>
[CancelAfter(TestTimeouts.Test)]
public class ModerationTests
{
    private ChatHarness _chat = null!;

    [SetUp]
    public async Task SetUpAsync() => _chat = await ChatHarness.StartAsync(
        new ChatOptions { MessagesPerSecond = 0, Operators = "boss@example.com", MaxOwnedRoomsPerAccount = 2 });

    [TearDown]
    public async Task TearDownAsync() => await _chat.DisposeAsync();

    private async Task<(ChatSession Alice, ChatSession Bob)> RustAsync()
    {
        var alice = await _chat.LoggedInAsync("alice");
        var bob = await _chat.LoggedInAsync("bob");
        await _chat.SendAsync(alice, "/join rust");
        await _chat.SendAsync(bob, "/join rust");
        _ = alice.New;
        _ = bob.New;
        return (alice, bob);
    }

    [Test]
    public async Task TheCreatorOwnsTheRoomAndWhoShowsRoles()
    {
        var (alice, bob) = await RustAsync();
        await _chat.SendAsync(alice, "/op bob");
        Assert.That(alice.New, Is.EqualTo(new[] { "OK OP #rust bob" }));
        Assert.That(bob.New, Is.EqualTo(new[] { "#rust * alice made bob an operator" }));
        var boss = await _chat.LoggedInAsync("boss");
        await _chat.SendAsync(boss, "/join rust");
        await _chat.SendAsync(boss, "/who");
        Assert.That(boss.New, Is.EqualTo(new[] { "OK JOIN #rust", "USER alice owner", "USER bob op", "USER boss op", "OK WHO #rust 3" }));
    }

    [Test]
    public async Task TopicIsReadByAnyoneSetByOperatorsAndShownOnJoin()
    {
        var (alice, bob) = await RustAsync();
        await _chat.SendAsync(bob, "/topic");
        await _chat.SendAsync(bob, "/topic mine now");
        Assert.That(bob.New, Is.EqualTo(new[] { "OK TOPIC #rust ", "ERR NOT_OPERATOR you are not an operator of #rust" }));

        await _chat.SendAsync(alice, "/topic #rust borrow checker talk");
        Assert.That(alice.New, Is.EqualTo(new[] { "OK TOPIC #rust borrow checker talk" }));
        Assert.That(bob.New, Is.EqualTo(new[] { "#rust * alice set the topic: borrow checker talk" }));

        var carol = await _chat.LoggedInAsync("carol");
        await _chat.SendAsync(carol, "/join rust");
        Assert.That(carol.New, Is.EqualTo(new[] { "OK JOIN #rust", "#rust * topic: borrow checker talk" }));
        await _chat.SendAsync(carol, "/topic #rust");
        Assert.That(carol.New, Is.EqualTo(new[] { "OK TOPIC #rust borrow checker talk" }));
    }

    [Test]
    public async Task OnlyOperatorsModerateAndTheOwnerAndServerOperatorsAreProtected()
    {
        var (alice, bob) = await RustAsync();
        foreach (var line in new[] { "/op bob", "/deop alice", "/kick alice", "/ban alice", "/unban alice", "/bans" })
        {
            await _chat.SendAsync(bob, line);
        }

        Assert.That(bob.New, Has.Count.EqualTo(6).And.All.EqualTo("ERR NOT_OPERATOR you are not an operator of #rust"));

        var boss = await _chat.LoggedInAsync("boss");
        await _chat.SendAsync(boss, "/join rust");
        await _chat.SendAsync(alice, "/op bob");
        _ = boss.New;
        _ = alice.New;
        foreach (var line in new[] { "/deop alice", "/kick alice", "/ban alice", "/kick boss", "/ban boss", "/deop boss" })
        {
            await _chat.SendAsync(bob, line);
        }

        Assert.That(bob.New.Where(l => l.StartsWith("ERR", StringComparison.Ordinal)), Has.Exactly(6).StartWith("ERR NOT_PERMITTED "));
        await _chat.SendAsync(bob, "/kick nobody");
        Assert.That(bob.New, Is.EqualTo(new[] { "ERR NO_SUCH_USER nobody is called nobody" }));

        await _chat.SendAsync(boss, "/kick bob too eager");
        Assert.That(boss.New, Is.EqualTo(new[] { "OK KICK #rust bob" }));
        Assert.That(bob.New, Is.EqualTo(new[] { "#rust * bob was kicked by boss (too eager)" }));
        Assert.That(bob.Rooms.Select(r => r.Name), Is.EqualTo(new[] { "#lobby" }));
        Assert.That(alice.New, Is.EqualTo(new[] { "#rust * bob was kicked by boss (too eager)" }));

        await _chat.SendAsync(alice, "/deop bob");
        Assert.That(alice.New, Is.EqualTo(new[] { "OK DEOP #rust bob" }));
    }

    [Test]
    public async Task AKickPutsOutEverySessionOfTheAccount()
    {
        var (alice, bob) = await RustAsync();
        var phone = await _chat.LoggedInAsync("bob");
        await _chat.SendAsync(phone, "/join #rust");
        _ = phone.New;
        await _chat.SendAsync(alice, "/kick #rust bob");
        Assert.That(alice.New, Is.EqualTo(new[] { "OK KICK #rust bob" }));
        Assert.That(bob.New, Is.EqualTo(new[] { "#rust * bob was kicked by alice" }));
        Assert.That(phone.New, Is.EqualTo(new[] { "#rust * bob was kicked by alice" }));
        await _chat.SendAsync(alice, "/who");
        Assert.That(alice.New, Is.EqualTo(new[] { "USER alice owner", "OK WHO #rust 1" }));
        await _chat.SendAsync(alice, "/kick bob");
        Assert.That(alice.New, Is.EqualTo(new[] { "ERR NO_SUCH_USER bob is not in #rust" }));
    }

    [Test]
    public async Task ABanFollowsTheAccountAcrossANickChangeAndAReconnect()
    {
        var (alice, bob) = await RustAsync();
        await _chat.SendAsync(alice, "/ban bob spam");
        Assert.That(alice.New, Is.EqualTo(new[] { "OK BAN #rust bob" }));
        Assert.That(bob.New, Is.EqualTo(new[] { "#rust * bob was kicked by alice (spam)" }));

        await _chat.SendAsync(bob, "/nick robert");
        await _chat.SendAsync(bob, "/join rust");
        Assert.That(bob.New, Is.EqualTo(new[] { "OK NICK robert", "ERR BANNED you are banned from #rust" }));

        _chat.Drop(bob);
        var back = await _chat.LoggedInAsync("bob", expectedNick: "robert");
        await _chat.SendAsync(back, "/join rust");
        Assert.That(back.New, Is.EqualTo(new[] { "ERR BANNED you are banned from #rust" }));

        _ = alice.New; // bob's quit and return in the lobby
        await _chat.SendAsync(alice, "/bans");
        var bans = alice.New;
        Assert.That(bans, Has.Count.EqualTo(2));
        Assert.That(bans[0], Does.Match(@"^BAN #rust robert alice \d{4}-\d\d-\d\dT\S+Z spam$"));
        Assert.That(bans[1], Is.EqualTo("OK BANS #rust 1"));

        await _chat.SendAsync(alice, "/unban robert");
        Assert.That(alice.New, Is.EqualTo(new[] { "OK UNBAN #rust robert" }));
        await _chat.SendAsync(back, "/join rust");
        Assert.That(back.New, Is.EqualTo(new[] { "OK JOIN #rust" }));
    }

    [Test]
    public async Task AnOfflineAccountIsBannedByTheNickItOwnsAndItSurvivesARestart()
    {
        var (alice, bob) = await RustAsync();
        _chat.Drop(bob);
        _ = alice.New;
        await _chat.SendAsync(alice, "/ban #rust bob left already");
        Assert.That(alice.New, Is.EqualTo(new[] { "OK BAN #rust bob" }));
        await _chat.SendAsync(alice, "/topic kept");
        _ = alice.New;

        await _chat.RestartAsync();
        bob = await _chat.LoggedInAsync("bob");
        await _chat.SendAsync(bob, "/join rust");
        Assert.That(bob.New, Is.EqualTo(new[] { "ERR BANNED you are banned from #rust" }));
        alice = await _chat.LoggedInAsync("alice");
        await _chat.SendAsync(alice, "/join rust");
        await _chat.SendAsync(alice, "/bans");
        var lines = alice.New;
        Assert.That(lines[..2], Is.EqualTo(new[] { "OK JOIN #rust", "#rust * topic: kept" }));
        Assert.That(lines[2], Does.StartWith("BAN #rust bob alice ").And.EndWith(" left already"));
        Assert.That(lines[3], Is.EqualTo("OK BANS #rust 1"));
    }

    [Test]
    public async Task TheDefaultRoomHasNoOwnerAndServerOperatorsModerateIt()
    {
        var bob = await _chat.LoggedInAsync("bob");
        var boss = await _chat.LoggedInAsync("boss");
        await _chat.SendAsync(bob, "/topic hello");
        Assert.That(bob.New, Is.EqualTo(new[] { "#lobby * boss joined", "ERR NOT_OPERATOR you are not an operator of #lobby" }));
        await _chat.SendAsync(boss, "/topic welcome");
        Assert.That(boss.New, Is.EqualTo(new[] { "OK TOPIC #lobby welcome" }));
        await _chat.SendAsync(boss, "/who");
        Assert.That(boss.New, Is.EqualTo(new[] { "USER bob", "USER boss op", "OK WHO #lobby 2" }));
    }

    [Test]
    public async Task CreatingMoreRoomsThanAllowedIsRefusedButJoiningExistingOnesIsNot()
    {
        var (alice, bob) = await RustAsync();
        await _chat.SendAsync(alice, "/join go");
        await _chat.SendAsync(alice, "/join zig");
        Assert.That(alice.New, Is.EqualTo(new[] { "OK JOIN #go", "ERR TOO_MANY_OWNED_ROOMS you already own 2 rooms, the most allowed; join an existing room" }));
        await _chat.SendAsync(alice, "/join #lobby");
        Assert.That(alice.New, Is.EqualTo(new[] { "OK JOIN #lobby" }));
        await _chat.SendAsync(bob, "/join go");
        Assert.That(bob.New, Is.EqualTo(new[] { "OK JOIN #go" }));
    }

    [Test]
    public async Task ModeratingARoomThatDoesNotExistSaysSo()
    {
        var alice = await _chat.LoggedInAsync("alice");
        await _chat.SendAsync(alice, "/kick #nowhere bob");
        await _chat.SendAsync(alice, "/topic #bad!name x");
        Assert.That(alice.New, Is.EqualTo(new[] { "ERR NOT_IN_ROOM there is no room #nowhere", "ERR INVALID_ROOM_NAME room names are 1-32 of a-z 0-9 _ - after #" }));
    }
}

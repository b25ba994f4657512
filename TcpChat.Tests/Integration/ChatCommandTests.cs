using NUnit.Framework;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Integration;

/// <summary>Every chat command of docs/protocol.md over real sockets, against one shared server.</summary>
[CancelAfter(TestTimeouts.Test)]
public class ChatCommandTests
{
    private ChatServerFixture _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await ChatServerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    private static string Room() => "#r" + Guid.NewGuid().ToString("N")[..12];

    private async Task<(ChatTestClient A, ChatTestClient B, string Room)> TwoInRoomAsync()
    {
        var a = await _server.SignUpAsync("alice", leaveLobby: true);
        var b = await _server.SignUpAsync("bob", leaveLobby: true);
        string room = Room();
        await a.SendAsync("/join " + room);
        await a.ExpectNextAsync("OK JOIN " + room);
        await b.SendAsync("/join " + room);
        await b.ExpectNextAsync("OK JOIN " + room);
        Assert.That(await a.ExpectAsync(room + " * "), Is.EqualTo($"{room} * {b.Nick} joined"));
        return (a, b, room);
    }

    [Test]
    public async Task AChatLineReachesTheOtherMembersButNotTheSender()
    {
        var (a, b, room) = await TwoInRoomAsync();
        await a.SendAsync("hello there");
        Assert.That(await b.ExpectNextAsync(room), Is.EqualTo($"{room} {a.Nick}: hello there"));
        await a.SendAsync("/ping");
        Assert.That(await a.ReadLineAsync(), Is.EqualTo("OK PONG"), "the sender must not get its own line back");
    }

    [Test]
    public async Task DoubleSlashSendsALiteralSlash()
    {
        var (a, b, room) = await TwoInRoomAsync();
        await a.SendAsync("//shrug");
        Assert.That(await b.ExpectNextAsync(room), Is.EqualTo($"{room} {a.Nick}: /shrug"));
    }

    [Test]
    public async Task JoinAddsTheHashAndIsCaseInsensitive()
    {
        var a = await _server.SignUpAsync(leaveLobby: true);
        string name = Room()[1..];
        await a.SendAsync("/join " + name.ToUpperInvariant());
        Assert.That(await a.ReadLineAsync(), Is.EqualTo("OK JOIN #" + name));
        await a.SendAsync("/JOIN #" + name);
        Assert.That(await a.ReadLineAsync(), Is.EqualTo("OK JOIN #" + name));
    }

    [TestCase("/join #bad.name", "ERR INVALID_ROOM_NAME ")]
    [TestCase("/join #abcdefghijklmnopqrstuvwxyz0123456789", "ERR INVALID_ROOM_NAME ")]
    [TestCase("/join", "ERR BAD_ARGUMENTS ")]
    [TestCase("/leave #nowhere", "ERR NOT_IN_ROOM ")]
    [TestCase("/history #nowhere", "ERR NOT_IN_ROOM ")]
    [TestCase("/history 0", "ERR BAD_ARGUMENTS ")]
    [TestCase("/history -5", "ERR BAD_ARGUMENTS ")]
    [TestCase("/history 2fast", "ERR NOT_IN_ROOM ")]
    [TestCase("/msg", "ERR BAD_ARGUMENTS ")]
    [TestCase("/msg nobody-here-at-all hi", "ERR NO_SUCH_USER ")]
    [TestCase("/msg #nowhere hi", "ERR NOT_IN_ROOM ")]
    [TestCase("/nick bad:nick", "ERR INVALID_NICK ")]
    [TestCase("/nick abcdefghijklmnopqrstuvwxyz", "ERR INVALID_NICK ")]
    [TestCase("/nick", "ERR BAD_ARGUMENTS ")]
    [TestCase("/me", "ERR BAD_ARGUMENTS ")]
    [TestCase("/frobnicate", "ERR UNKNOWN_COMMAND ")]
    [TestCase("/auth a@b.c pw", "ERR ALREADY_AUTHENTICATED ")]
    [TestCase("SIGNUP a@b.c secret", "ERR ALREADY_AUTHENTICATED ")]
    [TestCase("/who #bad!", "ERR INVALID_ROOM_NAME ")]
    public async Task BadCommandsGetTheirErrorAndTheConnectionStays(string line, string expected)
    {
        var a = await _server.SignUpAsync(leaveLobby: true);
        await a.SendAsync(line);
        Assert.That(await a.ReadLineAsync(), Does.StartWith(expected));
        await a.SendAsync("/ping");
        Assert.That(await a.ReadLineAsync(), Is.EqualTo("OK PONG"));
    }

    [Test]
    public async Task LeaveTellsTheOthersAndTheCurrentRoomFallsBack()
    {
        var (a, b, room) = await TwoInRoomAsync();
        await b.SendAsync("/leave");
        Assert.That(await b.ReadLineAsync(), Is.EqualTo("OK LEAVE " + room));
        Assert.That(await a.ExpectAsync(room), Is.EqualTo($"{room} * {b.Nick} left"));
        await b.SendAsync("anyone?");
        Assert.That(await b.ReadLineAsync(), Does.StartWith("ERR NOT_IN_ROOM "), "in no room now");
        await b.SendAsync("/join " + room);
        await b.ExpectNextAsync("OK JOIN " + room);
        await b.SendAsync("/PART " + room);
        Assert.That(await b.ReadLineAsync(), Is.EqualTo("OK LEAVE " + room));
    }

    [Test]
    public async Task RoomsAndWhoListMembers()
    {
        var (a, b, room) = await TwoInRoomAsync();
        await a.SendAsync("/rooms");
        var (rows, ok) = await a.ReadListingAsync("OK ROOMS ");
        Assert.That(rows, Does.Contain($"ROOM {room} 2"));
        Assert.That(rows, Has.All.StartWith("ROOM #"));
        Assert.That(ok, Is.EqualTo($"OK ROOMS {rows.Count}"));

        await a.SendAsync("/who");
        (rows, ok) = await a.ReadListingAsync("OK WHO ");
        Assert.That(rows, Is.EquivalentTo(new[] { "USER " + a.Nick + " owner", "USER " + b.Nick }), "v2: a created the room");
        Assert.That(ok, Is.EqualTo($"OK WHO {room} 2"));

        string empty = Room();
        await a.SendAsync("/who " + empty);
        Assert.That(await a.ReadLineAsync(), Is.EqualTo($"OK WHO {empty} 0"));
    }

    [Test]
    public async Task PrivateMessagesGoToOneNick()
    {
        var (a, b, room) = await TwoInRoomAsync();
        await a.SendAsync($"/msg {b.Nick!.ToUpperInvariant()} psst: a secret");
        Assert.That(await a.ReadLineAsync(), Is.EqualTo("OK MSG " + b.Nick));
        Assert.That(await b.ReadLineAsync(), Is.EqualTo($"@{a.Nick}: psst: a secret"));

        await a.SendAsync($"/msg {room} to the room");
        Assert.That(await b.ReadLineAsync(), Is.EqualTo($"{room} {a.Nick}: to the room"));
    }

    [Test]
    public async Task MeIsAnActionEvent()
    {
        var (a, b, room) = await TwoInRoomAsync();
        await a.SendAsync("/me waves");
        Assert.That(await b.ReadLineAsync(), Is.EqualTo($"{room} * {a.Nick} waves"));
    }

    [Test]
    public async Task NickChangesAreAnnouncedAndUnique()
    {
        var (a, b, room) = await TwoInRoomAsync();
        string nick = "n" + Guid.NewGuid().ToString("N")[..10];
        await a.SendAsync("/nick " + nick);
        Assert.That(await a.ReadLineAsync(), Is.EqualTo("OK NICK " + nick));
        Assert.That(await b.ExpectAsync(room), Is.EqualTo($"{room} * {a.Nick} is now known as {nick}"));
        await b.SendAsync("/nick " + nick.ToUpperInvariant());
        Assert.That(await b.ReadLineAsync(), Does.StartWith("ERR NICK_TAKEN "));
        await b.SendAsync("hi");
        Assert.That(await a.ExpectAsync(room), Is.EqualTo($"{room} {b.Nick}: hi"));
    }

    [Test]
    public async Task HistoryReturnsTheLastLinesOldestFirst()
    {
        var (a, b, room) = await TwoInRoomAsync();
        for (int i = 1; i <= 5; i++)
        {
            await a.SendAsync("line " + i);
            await b.ExpectAsync($"{room} {a.Nick}: line {i}");
        }

        await b.SendAsync("/history 3");
        var (rows, ok) = await b.ReadListingAsync("OK HISTORY ");
        Assert.That(ok, Is.EqualTo($"OK HISTORY {room} 3"));
        Assert.That(rows, Has.Count.EqualTo(3));
        for (int i = 0; i < 3; i++)
        {
            Assert.That(rows[i], Does.Match($@"^HIST {room} \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z {a.Nick}: line {i + 3}$"));
        }

        await b.SendAsync($"/history {room}");
        (rows, _) = await b.ReadListingAsync("OK HISTORY ");
        Assert.That(rows, Has.Count.EqualTo(5));
    }

    [Test]
    public async Task HelpListsCommandsAfterLogin()
    {
        var a = await _server.SignUpAsync(leaveLobby: true);
        await a.SendAsync("/help");
        var (rows, ok) = await a.ReadListingAsync("OK HELP");
        Assert.That(ok, Is.EqualTo("OK HELP"));
        Assert.That(rows, Has.All.StartWith("HELP "));
        Assert.That(string.Join("\n", rows), Does.Contain("/join").And.Contain("/history").And.Contain("/quit"));
    }

    [Test]
    public async Task QuitSaysByeAndTellsTheRooms()
    {
        var (a, b, room) = await TwoInRoomAsync();
        await b.SendAsync("/quit gotta go");
        Assert.That(await b.ReadLineAsync(), Is.EqualTo("OK BYE"));
        Assert.That(await b.ReadLineAsync(), Is.Null, "closed after OK BYE");
        Assert.That(await a.ExpectAsync(room), Is.EqualTo($"{room} * {b.Nick} quit (gotta go)"));
    }

    [Test]
    public async Task ADroppedConnectionIsAnnouncedAsAQuitAndKeepsTheAccountsNick()
    {
        var (a, b, room) = await TwoInRoomAsync();
        string nick = b.Nick!;
        await b.DisposeAsync();
        Assert.That(await a.ExpectAsync(room), Is.EqualTo($"{room} * {nick} quit (connection closed)"));
        await a.SendAsync("/nick " + nick);
        Assert.That(await a.ReadLineAsync(), Is.EqualTo($"ERR NICK_TAKEN {nick} is taken"), "v2: the nick stays with its account while it is offline");
    }

    [Test]
    public async Task EveryLineOfOneSenderArrivesInOrderAtEveryMember()
    {
        var sender = await _server.SignUpAsync(leaveLobby: true);
        string room = Room();
        await sender.SendAsync("/join " + room);
        await sender.ExpectNextAsync("OK JOIN");
        var receivers = new List<ChatTestClient>();
        for (int i = 0; i < 5; i++)
        {
            var r = await _server.SignUpAsync(leaveLobby: true);
            await r.SendAsync("/join " + room);
            await r.ExpectNextAsync("OK JOIN");
            receivers.Add(r);
        }

        await sender.SendAsync("/who");
        await sender.ReadListingAsync("OK WHO"); // all joins have happened
        const int count = 500;
        var payload = string.Join("\n", Enumerable.Range(0, count).Select(i => "msg " + i)) + "\n";
        await sender.SendRawAsync(System.Text.Encoding.ASCII.GetBytes(payload));
        foreach (var r in receivers)
        {
            var got = new List<string>();
            while (got.Count < count)
            {
                string? line = await r.ReadLineAsync();
                Assert.That(line, Is.Not.Null);
                if (line!.StartsWith(room + " " + sender.Nick + ": ", StringComparison.Ordinal))
                {
                    got.Add(line[(room.Length + sender.Nick!.Length + 3)..]);
                }
            }

            Assert.That(got, Is.EqualTo(Enumerable.Range(0, count).Select(i => "msg " + i)));
        }
    }
}

using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using TcpChat.Server.Auth;
using TcpChat.Server.Chat;
using TcpChat.Server.Protocol;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Unit.Chat;

/// <summary>
/// The chat commands in memory: sessions over <see cref="FakeOutput"/>, no sockets. Logins go through a stand-in
/// <see cref="IAuthService"/> that vouches for any email with the password "right", so the handlers after login are
/// tested with an identity given directly.
/// </summary>
[CancelAfter(TestTimeouts.Test)]
public class ChatCommandsTests
{
    private const string Lobby = "#lobby";

    private ChatCommands _commands = null!;
    private long _nextId;

    [SetUp]
    public void SetUp()
    {
        var options = Options.Create(new ChatOptions { MessagesPerSecond = 0, MaxLoginAttempts = 3 });
        var replies = new Replies(new LineEncoder(crlf: false));
        var auth = new StandInAuth();
        var sessions = new SessionKeeper(auth, replies, options, TimeProvider.System, NullLogger<SessionKeeper>.Instance);
        _commands = new ChatCommands(options, auth, sessions, new RoomRegistry(options), new NickRegistry(), replies, TimeProvider.System, NullLogger<ChatCommands>.Instance);
    }

    [Test]
    public async Task BeforeLoginEverythingButTheLoginCommandsIsAuthRequired()
    {
        var session = Connect();
        foreach (var line in new[] { "/join #rust", "hello", "/who", "RESET a@b.c 1 pw", "GUEST" })
        {
            Assert.That(await SendAsync(session, line), Is.True);
        }

        Assert.That(session.New, Has.Count.EqualTo(5).And.All.StartWith("ERR AUTH_REQUIRED "));
        Assert.That(session.IsLoggedIn, Is.False);
    }

    [Test]
    public async Task BeforeLoginHelpAndQuit()
    {
        var session = Connect();
        await SendAsync(session, "help");
        var help = session.New;
        Assert.That(help[..^1], Has.All.StartWith("HELP "));
        Assert.That(help[^1], Is.EqualTo("OK HELP"));

        Assert.That(await SendAsync(session, "QUIT"), Is.False, "QUIT closes");
        Assert.That(session.New, Is.EqualTo(new[] { "OK BYE" }));
    }

    [Test]
    public async Task ALoginAnswersTheNickAndJoinsTheDefaultRoom()
    {
        var alice = Connect();
        await SendAsync(alice, "AUTH alice@example.com right");
        Assert.That(alice.New, Is.EqualTo(new[] { "OK AUTH alice", "OK JOIN #lobby" }));
        Assert.That(alice.IsLoggedIn, Is.True);
        Assert.That(alice.CurrentRoom?.Name, Is.EqualTo(Lobby));
        Assert.That(alice.Identity?.UserId, Is.EqualTo("id-alice@example.com"));
    }

    [Test]
    public async Task MalformedLoginsAreBadArguments()
    {
        var session = Connect();
        await SendAsync(session, "AUTH alice@example.com");
        await SendAsync(session, "TOKEN a b");
        Assert.That(session.New, Is.EqualTo(new[] { "ERR BAD_ARGUMENTS usage: AUTH <email> <password>", "ERR BAD_ARGUMENTS usage: TOKEN <access-token>" }));
    }

    [Test]
    public async Task WrongPasswordsCountTowardTheLimitThenClose()
    {
        var session = Connect();
        Assert.That(await SendAsync(session, "AUTH alice@example.com wrong"), Is.True);
        Assert.That(await SendAsync(session, "AUTH alice@example.com wrong"), Is.True);
        Assert.That(await SendAsync(session, "AUTH alice@example.com wrong"), Is.False);
        var lines = session.New;
        Assert.That(lines, Has.Count.EqualTo(4));
        Assert.That(lines[..3], Has.All.EqualTo("ERR INVALID_CREDENTIALS wrong email or password"));
        Assert.That(lines[3], Does.StartWith("ERR TOO_MANY_ATTEMPTS "));
        Assert.That(((FakeOutput)session.Output).Closed, Is.True);
    }

    [Test]
    public async Task ChatGoesToTheCurrentRoomButNotBackToTheSender()
    {
        var (alice, bob) = await TwoInTheLobbyAsync();
        await SendAsync(alice, "hi all");
        await SendAsync(alice, "//help");
        Assert.That(bob.New, Is.EqualTo(new[] { "#lobby alice: hi all", "#lobby alice: /help" }));
        Assert.That(alice.New, Is.Empty);
    }

    [Test]
    public async Task ALoginLineAfterLoginIsRefusedAndNotShown()
    {
        var (alice, bob) = await TwoInTheLobbyAsync();
        await SendAsync(alice, "AUTH alice@example.com right");
        await SendAsync(alice, "/token x.y.z");
        Assert.That(alice.New, Has.Count.EqualTo(2).And.All.EqualTo("ERR ALREADY_AUTHENTICATED you are already logged in"));
        Assert.That(bob.New, Is.Empty);
    }

    [Test]
    public async Task JoinAndLeaveAreAnsweredAndAnnounced()
    {
        var (alice, bob) = await TwoInTheLobbyAsync();
        await SendAsync(alice, "/join Rust");
        Assert.That(alice.New, Is.EqualTo(new[] { "OK JOIN #rust" }));
        await SendAsync(bob, "/join #rust");
        Assert.That(bob.New, Is.EqualTo(new[] { "OK JOIN #rust" }));
        Assert.That(alice.New, Is.EqualTo(new[] { "#rust * bob joined" }));

        await SendAsync(bob, "in rust");
        Assert.That(alice.New, Is.EqualTo(new[] { "#rust bob: in rust" }), "the room joined last is current");

        await SendAsync(bob, "/leave");
        Assert.That(bob.New, Is.EqualTo(new[] { "OK LEAVE #rust" }));
        Assert.That(alice.New, Is.EqualTo(new[] { "#rust * bob left" }));

        await SendAsync(bob, "/join bad!name");
        await SendAsync(bob, "/join");
        Assert.That(bob.New, Is.EqualTo(new[] { "ERR INVALID_ROOM_NAME room names are 1-32 of a-z 0-9 _ - after #", "ERR BAD_ARGUMENTS usage: /join <room>" }));
    }

    [Test]
    public async Task OutsideEveryRoomRoomCommandsAreNotInRoom()
    {
        var alice = await LoggedInAsync("alice");
        await SendAsync(alice, "/leave");
        Assert.That(alice.New, Is.EqualTo(new[] { "OK LEAVE #lobby" }));
        foreach (var line in new[] { "hello?", "/me waves", "/leave", "/history", "/who", "/leave #nope", "/msg #lobby hi" })
        {
            await SendAsync(alice, line);
        }

        Assert.That(alice.New, Is.EqualTo(new[]
        {
            "ERR NOT_IN_ROOM you are in no room; /join one first",
            "ERR NOT_IN_ROOM you are in no room; /join one first",
            "ERR NOT_IN_ROOM you are in no room",
            "ERR NOT_IN_ROOM you are in no room",
            "ERR NOT_IN_ROOM you are in no room; name one: /who <room>",
            "ERR NOT_IN_ROOM you are not in #nope",
            "ERR NOT_IN_ROOM you are not in #lobby",
        }));
    }

    [Test]
    public async Task RoomsAndWhoListThenEndWithOk()
    {
        var (alice, bob) = await TwoInTheLobbyAsync();
        await SendAsync(bob, "/join rust");
        _ = bob.New;
        await SendAsync(alice, "/rooms");
        Assert.That(alice.New, Is.EqualTo(new[] { "ROOM #lobby 2", "ROOM #rust 1", "OK ROOMS 2" }));
        await SendAsync(alice, "/who");
        Assert.That(alice.New, Is.EqualTo(new[] { "USER alice", "USER bob", "OK WHO #lobby 2" }));
        await SendAsync(alice, "/who #rust");
        Assert.That(alice.New, Is.EqualTo(new[] { "USER bob", "OK WHO #rust 1" }));
        await SendAsync(alice, "/who #empty");
        Assert.That(alice.New, Is.EqualTo(new[] { "OK WHO #empty 0" }));
    }

    [Test]
    public async Task MsgReachesANickOrARoom()
    {
        var (alice, bob) = await TwoInTheLobbyAsync();
        await SendAsync(alice, "/msg BOB psst");
        Assert.That(bob.New, Is.EqualTo(new[] { "@alice: psst" }));
        Assert.That(alice.New, Is.EqualTo(new[] { "OK MSG bob" }));

        await SendAsync(alice, "/msg #lobby to the room");
        Assert.That(bob.New, Is.EqualTo(new[] { "#lobby alice: to the room" }));
        Assert.That(alice.New, Is.Empty);

        await SendAsync(alice, "/msg nobody hello");
        await SendAsync(alice, "/msg bob");
        Assert.That(alice.New, Is.EqualTo(new[] { "ERR NO_SUCH_USER nobody is called nobody", "ERR BAD_ARGUMENTS usage: /msg <#room|nick> <text>" }));
    }

    [Test]
    public async Task MeActsInTheCurrentRoom()
    {
        var (alice, bob) = await TwoInTheLobbyAsync();
        await SendAsync(alice, "/me waves");
        Assert.That(bob.New, Is.EqualTo(new[] { "#lobby * alice waves" }));
        await SendAsync(alice, "/me");
        Assert.That(alice.New, Is.EqualTo(new[] { "ERR BAD_ARGUMENTS usage: /me <text>" }));
    }

    [Test]
    public async Task NickChangesAreAnsweredAndAnnounced()
    {
        var (alice, bob) = await TwoInTheLobbyAsync();
        await SendAsync(alice, "/nick al");
        Assert.That(alice.New, Is.EqualTo(new[] { "OK NICK al" }));
        Assert.That(bob.New, Is.EqualTo(new[] { "#lobby * alice is now known as al" }));
        Assert.That(alice.Nick, Is.EqualTo("al"));

        await SendAsync(alice, "/nick Bob");
        await SendAsync(alice, "/nick bad!");
        await SendAsync(alice, "/nick");
        Assert.That(alice.New, Is.EqualTo(new[] { "ERR NICK_TAKEN Bob is taken", "ERR INVALID_NICK nicks are 1-24 of A-Z a-z 0-9 _ - .", "ERR BAD_ARGUMENTS usage: /nick <new>" }));
    }

    [Test]
    public async Task HistoryListsTheLastChatLinesOldestFirst()
    {
        var (alice, bob) = await TwoInTheLobbyAsync();
        await SendAsync(alice, "one");
        await SendAsync(bob, "two");
        await SendAsync(alice, "/me is not kept");
        _ = alice.New;
        await SendAsync(alice, "/history");
        var lines = alice.New;
        Assert.That(lines, Has.Count.EqualTo(3));
        Assert.That(lines[0], Does.Match(@"^HIST #lobby \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z alice: one$"));
        Assert.That(lines[1], Does.Match(@"^HIST #lobby \S+Z bob: two$"));
        Assert.That(lines[2], Is.EqualTo("OK HISTORY #lobby 2"));

        await SendAsync(alice, "/history 1");
        Assert.That(alice.New[^1], Is.EqualTo("OK HISTORY #lobby 1"));
        await SendAsync(alice, "/history 0");
        Assert.That(alice.New, Is.EqualTo(new[] { "ERR BAD_ARGUMENTS n must be a whole number from 1 to 200" }));
    }

    [Test]
    public async Task PingHelpAndUnknownCommands()
    {
        var alice = await LoggedInAsync("alice");
        await SendAsync(alice, "/PING");
        Assert.That(alice.New, Is.EqualTo(new[] { "OK PONG" }));
        await SendAsync(alice, "/help");
        var help = alice.New;
        Assert.That(help[..^1], Has.All.StartWith("HELP /").Or.StartWith("HELP <text>"));
        Assert.That(help[^1], Is.EqualTo("OK HELP"));
        await SendAsync(alice, "/frobnicate");
        await SendAsync(alice, "/topic new topic");
        Assert.That(alice.New, Is.EqualTo(new[] { "ERR UNKNOWN_COMMAND unknown command /frobnicate; try /help", "ERR UNKNOWN_COMMAND unknown command /topic; try /help" }));
    }

    [Test]
    public async Task QuitSaysByeAndTheRoomsSeeTheReason()
    {
        var (alice, bob) = await TwoInTheLobbyAsync();
        Assert.That(await SendAsync(alice, "/quit see you"), Is.False, "/quit closes");
        Assert.That(alice.New, Is.EqualTo(new[] { "OK BYE" }));
        _commands.Disconnect(alice);
        Assert.That(bob.New, Is.EqualTo(new[] { "#lobby * alice quit (see you)" }));
        Assert.That(bob.CurrentRoom!.Members, Is.EqualTo(new[] { bob }));
    }

    [Test]
    public async Task EmptyLinesAskForNothing()
    {
        var alice = await LoggedInAsync("alice");
        Assert.That(await SendAsync(alice, "   "), Is.True);
        Assert.That(alice.New, Is.Empty);
    }

    private ChatSession Connect() => FakeOutput.Session(Interlocked.Increment(ref _nextId));

    private Task<bool> SendAsync(ChatSession session, string line) => _commands.HandleAsync(session, line, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default);

    private async Task<ChatSession> LoggedInAsync(string name)
    {
        var session = Connect();
        await SendAsync(session, $"AUTH {name}@example.com right");
        Assert.That(session.New, Is.EqualTo(new[] { "OK AUTH " + name, "OK JOIN #lobby" }));
        return session;
    }

    private async Task<(ChatSession Alice, ChatSession Bob)> TwoInTheLobbyAsync()
    {
        var alice = await LoggedInAsync("alice");
        var bob = await LoggedInAsync("bob");
        Assert.That(alice.New, Is.EqualTo(new[] { "#lobby * bob joined" }));
        return (alice, bob);
    }

    /// <summary>Vouches for any email whose password is "right"; everything else fails as Supabase would say.</summary>
    private sealed class StandInAuth : IAuthService
    {
        public ValueTask<LoginResult> SignInAsync(string email, string password, IPAddress client, CancellationToken cancellationToken) =>
            ValueTask.FromResult(password == "right"
                ? LoginResult.SignedIn(new AuthIdentity("id-" + email, email, DateTimeOffset.UtcNow.AddHours(1), null))
                : LoginResult.Fail(LoginFailure.WrongPassword));

        public ValueTask<LoginResult> SignUpAsync(string email, string password, IPAddress client, CancellationToken cancellationToken) =>
            ValueTask.FromResult(LoginResult.Confirm());

        public ValueTask<LoginResult> RecoverAsync(string email, IPAddress client, CancellationToken cancellationToken) =>
            ValueTask.FromResult(LoginResult.Done());

        public ValueTask<LoginResult> VerifyTokenAsync(string accessToken, IPAddress client, CancellationToken cancellationToken) =>
            ValueTask.FromResult(LoginResult.Fail(LoginFailure.InvalidToken));

        public ValueTask<RefreshResult> RefreshAsync(Session session, CancellationToken cancellationToken) =>
            throw new AssertionException("no session is refreshed in these tests");

        public ValueTask<SessionVerdict> CheckUserAsync(string accessToken, CancellationToken cancellationToken) =>
            ValueTask.FromResult(SessionVerdict.Alive);
    }
}

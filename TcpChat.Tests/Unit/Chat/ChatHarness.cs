using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using TcpChat.Server.Auth;
using TcpChat.Server.Chat;
using TcpChat.Server.Protocol;
using TcpChat.Server.Store;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Unit.Chat;

/// <summary>
/// The chat commands in memory for one test: sessions over <see cref="FakeOutput"/>, no sockets, and a real
/// <see cref="SqliteChatStore"/> on a temp file. Logins go through <see cref="StandInAuth"/>, which vouches for any
/// email with the password "right" (the account id is <c>id-</c> + the email, so two logins with one email are two
/// sessions of one account). <see cref="RestartAsync"/> drops every session and the chat's memory, keeping the store.
/// </summary>
internal sealed class ChatHarness : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tcpchat-chat").FullName;
    private readonly ChatOptions _options;
    private long _nextId;

    private ChatHarness(ChatOptions options)
    {
        _options = options;
        Store = NewStore();
        Commands = NewCommands();
    }

    public ChatCommands Commands { get; private set; }

    public SqliteChatStore Store { get; private set; }

    public static async Task<ChatHarness> StartAsync(ChatOptions? options = null)
    {
        var harness = new ChatHarness(options ?? new ChatOptions { MessagesPerSecond = 0, MaxLoginAttempts = 3 });
        await harness.Store.OpenAsync(CancellationToken.None);
        return harness;
    }

    public ChatSession Connect() => FakeOutput.Session(Interlocked.Increment(ref _nextId), _options);

    public Task<bool> SendAsync(ChatSession session, string line) =>
        Commands.HandleAsync(session, line, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default);

    /// <summary>Logs in a session of the account of <c>name@example.com</c> and checks it got <paramref name="expectedNick"/> (default: the name) and the lobby.</summary>
    public async Task<ChatSession> LoggedInAsync(string name, string? expectedNick = null)
    {
        var session = Connect();
        await SendAsync(session, $"AUTH {name}@example.com right");
        Assert.That(session.New, Is.EqualTo(new[] { "OK AUTH " + (expectedNick ?? name), "OK JOIN #lobby" }));
        return session;
    }

    /// <summary>Ends a session as its connection would.</summary>
    public void Drop(ChatSession session) => Commands.Disconnect(session);

    /// <summary>A restart: the store is closed and opened again on the same file, and the chat starts with nobody online.</summary>
    public async Task RestartAsync()
    {
        await Store.CloseAsync(CancellationToken.None);
        await Store.DisposeAsync();
        Store = NewStore();
        await Store.OpenAsync(CancellationToken.None);
        Commands = NewCommands();
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private SqliteChatStore NewStore()
    {
        var limits = new StoreLimits(_options.HistorySize, _options.HistoryBytesPerRoom, _options.MaxOwnedRoomsPerAccount, _options.RoomRetention);
        return new SqliteChatStore(new StoreOptions { Path = Path.Combine(_directory, "tcpchat.db") }, limits, TimeProvider.System, NullLogger<SqliteChatStore>.Instance);
    }

    private ChatCommands NewCommands()
    {
        var options = Options.Create(_options);
        var replies = new Replies(new LineEncoder(crlf: false));
        var auth = new StandInAuth();
        var sessions = new SessionKeeper(auth, replies, options, TimeProvider.System, NullLogger<SessionKeeper>.Instance);
        return new ChatCommands(options, auth, sessions, new RoomRegistry(), new AccountRegistry(), Store, replies, TimeProvider.System, NullLogger<ChatCommands>.Instance);
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

using System.Net;
using System.Threading.RateLimiting;
using TcpChat.Server.Auth;

namespace TcpChat.Server.Chat;

/// <summary>
/// One client's chat state: identity, account, rooms, login state and limits. Its client is reached only through
/// <see cref="Output"/>. Login state is changed only by the session's own command loop; its rooms by that loop and by a
/// moderator's kick, so they are an array replaced under a lock and read without one; other sessions read
/// <see cref="Nick"/> and call <see cref="Send"/>; the server's sweep reads the login state and the session-check
/// schedule, which are therefore read and written atomically.
/// </summary>
internal sealed class ChatSession : IDisposable
{
    private const int LoginPending = 0;
    private const int LoginDone = 1;
    private const int LoginClosed = 2;

    private readonly Lock _roomsGate = new();
    private Room[] _rooms = []; // in join order; the last is the current room
    private readonly TokenBucketRateLimiter? _lineLimiter;
    private AuthIdentity? _identity;
    private int _loginState;
    private long _nextSessionCheck = DateTimeOffset.MaxValue.UtcTicks;
    private int _sessionCheckRunning;

    public ChatSession(long id, ISessionOutput output, ChatOptions options)
    {
        Id = id;
        Output = output;
        if (options.MessagesPerSecond > 0)
        {
            // No timer per session: the bucket is topped up from elapsed time when a line arrives.
            _lineLimiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = options.MessageBurst,
                TokensPerPeriod = options.MessagesPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                AutoReplenishment = false,
                QueueLimit = 0,
            });
        }
    }

    /// <summary>Unique for the life of the process (the connection id); used in logs.</summary>
    public long Id { get; }

    public ISessionOutput Output { get; }

    public IPAddress RemoteAddress => Output.RemoteAddress;

    /// <summary>The account the session belongs to; null until logged in.</summary>
    public Account? Account { get; internal set; }

    /// <summary>The account's nick (shared by all its sessions); null until logged in.</summary>
    public string? Nick => Account?.Nick;

    /// <summary>The verified identity once logged in (renewed by <see cref="SessionKeeper"/>).</summary>
    public AuthIdentity? Identity => Volatile.Read(ref _identity);

    public bool IsLoggedIn => Volatile.Read(ref _loginState) == LoginDone;

    /// <summary>Why the client left, as its rooms are told: the <c>/quit</c> reason; null when it just dropped.</summary>
    public string? QuitReason { get; set; }

    /// <summary>Failed logins on this session (wrong password or token).</summary>
    public int FailedLogins { get; set; }

    /// <summary>The room plain chat lines go to: the one joined last; null when in no room.</summary>
    public Room? CurrentRoom => Volatile.Read(ref _rooms) is { Length: > 0 } rooms ? rooms[^1] : null;

    public IReadOnlyList<Room> Rooms => Volatile.Read(ref _rooms);

    /// <summary>When the login's Supabase session is next refreshed or checked; read by the sweep on another thread.</summary>
    public DateTimeOffset NextSessionCheck
    {
        get => new(Interlocked.Read(ref _nextSessionCheck), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _nextSessionCheck, value.UtcTicks);
    }

    public void Send(byte[] line) => Output.Send(line);

    /// <summary>The room of that (normalized) name this session is in, or null.</summary>
    public Room? FindRoom(string name) => Array.Find(Volatile.Read(ref _rooms), r => r.Name == name);

    /// <summary>Marks the login done unless the session is already being closed (login timeout, shutdown).</summary>
    public bool TryCompleteLogin(AuthIdentity identity)
    {
        if (Interlocked.CompareExchange(ref _loginState, LoginDone, LoginPending) != LoginPending)
        {
            return false;
        }

        Volatile.Write(ref _identity, identity);
        return true;
    }

    /// <summary>Sends <paramref name="finalLines"/> and closes, if the client has not logged in yet.</summary>
    public bool TryCloseBeforeLogin(params byte[][] finalLines)
    {
        if (Interlocked.CompareExchange(ref _loginState, LoginClosed, LoginPending) != LoginPending)
        {
            return false;
        }

        Output.CloseWith(finalLines);
        return true;
    }

    /// <summary>Claims the session check; false if one is already running.</summary>
    public bool TryBeginSessionCheck() => Interlocked.Exchange(ref _sessionCheckRunning, 1) == 0;

    /// <summary>Keeps the renewed identity and releases the session check.</summary>
    public void EndSessionCheck(AuthIdentity identity, DateTimeOffset nextCheck)
    {
        Volatile.Write(ref _identity, identity);
        NextSessionCheck = nextCheck;
        Volatile.Write(ref _sessionCheckRunning, 0);
    }

    /// <summary>True when lines are rate limited (<see cref="ChatOptions.MessagesPerSecond"/> is not 0).</summary>
    public bool HasLineLimit => _lineLimiter is not null;

    /// <summary>Takes one line from the rate budget; false when the client is over its rate.</summary>
    public bool TryTakeLineBudget()
    {
        if (_lineLimiter is null)
        {
            return true;
        }

        _lineLimiter.TryReplenish();
        using var lease = _lineLimiter.AttemptAcquire();
        return lease.IsAcquired;
    }

    /// <summary>Makes <paramref name="room"/> the current room (adding it if new).</summary>
    internal void MarkJoined(Room room)
    {
        lock (_roomsGate)
        {
            Volatile.Write(ref _rooms, [.. _rooms.Where(r => r != room), room]);
        }
    }

    internal void MarkLeft(Room room)
    {
        lock (_roomsGate)
        {
            Volatile.Write(ref _rooms, [.. _rooms.Where(r => r != room)]);
        }
    }

    public void Dispose() => _lineLimiter?.Dispose();
}

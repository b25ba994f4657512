using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using TcpChat.Server.Auth;
using TcpChat.Server.Chat;

namespace TcpChat.Server.Networking;

/// <summary>
/// One client: owns its socket, runs a read loop (lines in, commands out), and drains its outbox into batched writes
/// whenever the outbox has something (no writer waits while it is empty). Everything that changes its chat state
/// runs on the read loop; other clients only call <see cref="Send"/>.
/// </summary>
internal sealed partial class ClientConnection : ChatMember, IDisposable
{
    private const int LoginPending = 0;
    private const int LoginDone = 1;
    private const int LoginClosed = 2;

    private readonly ConnectionContext _context;
    private readonly Socket _socket;
    private PipeReader? _reader;
    private bool _closeRequested;
    private readonly TokenBucketRateLimiter? _lineLimiter;
    private Stream _stream;
    private long _queuedBytes;
    private int _slowConsumer;
    private int _loginState;
    private long _lastActivity;
    private int _sessionCheckRunning;

    public ClientConnection(long id, Socket socket, Stream stream, bool isTls, ConnectionContext context)
    {
        Id = id;
        _outboxHeld = isTls; // nothing is written before the TLS handshake is done
        _socket = socket;
        _stream = stream;
        _context = context;
        IsTls = isTls;
        RemoteEndPoint = (IPEndPoint)socket.RemoteEndPoint!;
        ConnectedAt = context.Time.GetTimestamp();
        _lastActivity = ConnectedAt;
        var options = context.Options;
        if (options.MessagesPerSecond > 0)
        {
            // No timer per connection: the bucket is topped up from elapsed time when a line arrives.
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

    public override long Id { get; }

    public IPEndPoint RemoteEndPoint { get; }

    public IPAddress RemoteAddress => RemoteEndPoint.Address;

    public bool IsTls { get; }

    public bool IsLoopback => IPAddress.IsLoopback(RemoteAddress);

    /// <summary>Timestamp (<see cref="TimeProvider.GetTimestamp"/>) of the accept.</summary>
    public long ConnectedAt { get; }

    /// <summary>Timestamp of the last line received.</summary>
    public long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>The verified identity once logged in.</summary>
    public AuthIdentity? Identity { get; private set; }

    public bool IsLoggedIn => Volatile.Read(ref _loginState) == LoginDone;

    /// <summary>Why the client left, as its rooms are told: the <c>/quit</c> reason; null when it just dropped.</summary>
    public string? QuitReason { get; set; }

    /// <summary>Failed logins on this connection (wrong password or token).</summary>
    public int FailedLogins { get; set; }

    public bool IsSlowConsumer => Volatile.Read(ref _slowConsumer) != 0;

    /// <summary>When the login's Supabase session is next refreshed or checked.</summary>
    public DateTimeOffset NextSessionCheck { get; set; } = DateTimeOffset.MaxValue;

    /// <summary>Claims the session check for this connection; false if one is already running.</summary>
    public bool TryBeginSessionCheck() => Interlocked.Exchange(ref _sessionCheckRunning, 1) == 0;

    /// <summary>Keeps the renewed identity and releases the session check.</summary>
    public void EndSessionCheck(AuthIdentity identity, DateTimeOffset nextCheck)
    {
        Identity = identity;
        NextSessionCheck = nextCheck;
        Volatile.Write(ref _sessionCheckRunning, 0);
    }

    /// <summary>Marks the login done unless the connection is already being closed (login timeout, shutdown).</summary>
    public bool TryCompleteLogin(AuthIdentity identity)
    {
        if (Interlocked.CompareExchange(ref _loginState, LoginDone, LoginPending) != LoginPending)
        {
            return false;
        }

        Identity = identity;
        return true;
    }

    /// <summary>Sends <paramref name="finalLines"/> and closes, if the client has not logged in yet.</summary>
    public bool TryCloseBeforeLogin(params byte[][] finalLines)
    {
        if (Interlocked.CompareExchange(ref _loginState, LoginClosed, LoginPending) != LoginPending)
        {
            return false;
        }

        CloseWith(finalLines);
        return true;
    }

    /// <summary>Takes one line from the per-connection rate budget; false when the client is over its rate.</summary>
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

    /// <summary>Ends the read loop: at once if it is waiting for data, else before its next read.</summary>
    private void CancelReading()
    {
        Volatile.Write(ref _closeRequested, true);
        Volatile.Read(ref _reader)?.CancelPendingRead();
    }

    private void Touch() => Volatile.Write(ref _lastActivity, _context.Time.GetTimestamp());
}

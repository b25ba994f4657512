using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using TcpChat.Server.Chat;

namespace TcpChat.Server.Networking;

/// <summary>
/// One client's transport: owns its socket, TLS stream, pipe and outbox, runs a read loop (lines in, to its
/// <see cref="Session"/>'s commands) and drains its outbox into batched writes whenever the outbox has something (no
/// writer waits while it is empty). The session reaches the client only through <see cref="ISessionOutput"/>.
/// </summary>
internal sealed partial class ClientConnection : ISessionOutput, IDisposable
{
    // How long a closing TLS connection may take to write its close_notify (the outbox is already flushed).
    private static readonly TimeSpan CloseNotifyTimeout = TimeSpan.FromSeconds(1);

    private readonly ConnectionContext _context;
    private readonly Socket _socket;
    private PipeReader? _reader;
    private bool _closeRequested;
    private Stream _stream;
    private long _queuedBytes;
    private int _slowConsumer;
    private long _behindSince;
    private long _lastActivity;

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
        Session = new ChatSession(id, this, context.Options);
    }

    public long Id { get; }

    /// <summary>The chat state this connection carries.</summary>
    public ChatSession Session { get; }

    public IPEndPoint RemoteEndPoint { get; }

    public IPAddress RemoteAddress => RemoteEndPoint.Address;

    public bool IsTls { get; }

    /// <summary>Timestamp (<see cref="TimeProvider.GetTimestamp"/>) of the accept.</summary>
    public long ConnectedAt { get; }

    /// <summary>Timestamp of the last line received.</summary>
    public long LastActivity => Volatile.Read(ref _lastActivity);

    public bool IsSlowConsumer => Volatile.Read(ref _slowConsumer) != 0;

    /// <summary>The task of <see cref="RunAsync"/>, kept by the server so shutdown can await it.</summary>
    public Task Running { get; private set; } = Task.CompletedTask;

    /// <summary>Ends the read loop: at once if it is waiting for data, else before its next read.</summary>
    private void CancelReading()
    {
        Volatile.Write(ref _closeRequested, true);
        Volatile.Read(ref _reader)?.CancelPendingRead();
    }

    private void Touch() => Volatile.Write(ref _lastActivity, _context.Time.GetTimestamp());
}

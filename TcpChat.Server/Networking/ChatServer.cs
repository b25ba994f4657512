using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TcpChat.Server.Chat;

namespace TcpChat.Server.Networking;

/// <summary>
/// The TCP server: binds its listeners in <see cref="StartAsync"/> (so callers learn the real ports), runs one accept
/// loop per listener and one Task per client (kept with the connection, so shutdown awaits them), reaps connections
/// that never log in or go idle, starts due session checks, and closes everyone cleanly in <see cref="StopAsync"/>.
/// </summary>
internal sealed class ChatServer : IAsyncDisposable
{
    private const int ListenBacklog = 4096; // bursts of thousands of connects must not drop SYNs

    private readonly ChatOptions _options;
    private readonly ConnectionContext _context;
    private readonly ILogger<ChatServer> _logger;
    private readonly ConcurrentDictionary<long, ClientConnection> _connections = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private readonly List<(Socket Socket, bool Tls)> _listeners = [];
    private readonly List<Task> _loops = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly SessionKeeper _sessions;
    private SslServerAuthenticationOptions? _tls;
    private TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _closing;
    private long _nextId;
    private int _count;

    public ChatServer(IOptions<ChatOptions> options, ConnectionContext context, SessionKeeper sessions, ILogger<ChatServer> logger)
    {
        _options = options.Value;
        _context = context;
        _sessions = sessions;
        _logger = logger;
    }

    /// <summary>The bound plaintext endpoints (real ports when 0 was asked for).</summary>
    public IReadOnlyList<IPEndPoint> Endpoints { get; private set; } = [];

    /// <summary>The bound TLS endpoint, when TLS is on.</summary>
    public IPEndPoint? TlsEndpoint { get; private set; }

    public int ConnectionCount => Volatile.Read(ref _count);

    /// <summary>Completes when no connection is open (at once if none is); a later connection needs a new call.</summary>
    public Task WhenIdle()
    {
        var idle = Volatile.Read(ref _idle);
        return Volatile.Read(ref _count) == 0 ? Task.CompletedTask : idle.Task;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoints = new List<IPEndPoint>();
        foreach (var endPoint in EndpointParser.Parse(_options))
        {
            endpoints.Add(Bind(endPoint, tls: false));
        }

        Endpoints = endpoints;
        if (_options.Tls.Enabled)
        {
            _tls = new SslServerAuthenticationOptions
            {
                ServerCertificate = LoadCertificate(_options.Tls),
                EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
                ClientCertificateRequired = false,
            };
            TlsEndpoint = Bind(new IPEndPoint(EndpointParser.ParseAddress(_options.Host), _options.Tls.Port), tls: true);
        }

        foreach (var (socket, tls) in _listeners)
        {
            _loops.Add(AcceptLoopAsync(socket, tls));
        }

        _loops.Add(SweepLoopAsync());
        return Task.CompletedTask;
    }

    /// <summary>Stops accepting, tells every client, waits up to the shutdown timeout for their output, then aborts the rest.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        // Order matters: stop accepting; queue every client's two last lines (a connection admitted meanwhile gets
        // them in Admit); only then cancel what is in flight (login calls), so a client mid-login still gets them.
        _context.Commands.Stopping = true;
        Volatile.Write(ref _closing, true);
        foreach (var (socket, _) in _listeners)
        {
            socket.Close();
        }

        var connections = _connections.Values.ToArray();
        NetworkingLog.ShuttingDown(_logger, connections.Length);
        foreach (var connection in connections)
        {
            connection.CloseWith(_context.Replies.ShutdownNotice, _context.Replies.ShuttingDown);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);

        // No admission can happen now: every connection left is in the table. Each bounds its own flush by the
        // shutdown timeout, then closes its socket; this awaits their tasks, with a little slack for the teardown.
        var running = _connections.Values.Select(c => c.Running).ToArray();
        try
        {
            await Task.WhenAll(running).WaitAsync(_options.ShutdownTimeout + TimeSpan.FromSeconds(1), _context.Time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // The host's own shutdown timeout ran out: what is left is dropped with the process.
            NetworkingLog.ShutdownIncomplete(_logger, _connections.Count);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private IPEndPoint Bind(IPEndPoint endPoint, bool tls)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            // No ReuseAddress: on Linux .NET turns it into SO_REUSEPORT, and a second server would silently share the
            // port (and split the logins). A restart over TIME_WAIT still binds: .NET sets SO_REUSEADDR itself on Unix.
            socket.Bind(endPoint);
            socket.Listen(ListenBacklog);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new InvalidOperationException($"Cannot listen on {endPoint} ({(tls ? "Chat:Tls:Port" : "Chat:Host/Chat:Port")}): {ex.Message}", ex);
        }

        _listeners.Add((socket, tls));
        var bound = (IPEndPoint)socket.LocalEndPoint!;
        NetworkingLog.Listening(_logger, bound, tls ? "tls" : "plaintext");
        return bound;
    }

    private static X509Certificate2 LoadCertificate(TlsOptions tls)
    {
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(tls.CertificatePath!, tls.KeyPath);
            // Re-import so the private key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"Chat:Tls:CertificatePath/KeyPath: cannot load the certificate: {ex.Message}", ex);
        }
    }

    private async Task AcceptLoopAsync(Socket listener, bool tls)
    {
        var localEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsStop(ex))
            {
                return; // StopAsync closed the listener: the expected end, not a failure
            }
            catch (SocketException ex)
            {
                // A connection reset before accept is the client's doing; descriptors exhausted is ours. Keep serving.
                if (!Disconnects.IsGone(ex.SocketErrorCode))
                {
                    NetworkingLog.AcceptFailed(_logger, localEndPoint, ex);
                }

                continue;
            }

            try
            {
                Admit(socket, tls);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Reset between accept and admission: nothing was counted for it yet, or Admit rolled back.
                socket.Dispose();
            }
        }
    }

    // _closing is set before the listener is closed, so a pending accept failing with OperationAborted is always ours.
    private bool IsStop(Exception ex) => ex is OperationCanceledException or ObjectDisposedException || Volatile.Read(ref _closing);

    private void Admit(Socket socket, bool tls)
    {
        socket.NoDelay = true; // a chat line must leave now, not after a delayed ACK

        // Urgent data stays in the stream: telnet's "send synch" marks IAC DM urgent, and taken out of band it would
        // leave half of the command inline, to be read as text.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.OutOfBandInline, true);
        var address = ((IPEndPoint)socket.RemoteEndPoint!).Address;
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        string? refusal = null;
        if (Interlocked.Increment(ref _count) > _options.MaxConnections)
        {
            refusal = "the server is full";
        }
        else if (_perAddress.AddOrUpdate(address, 1, static (_, n) => n + 1) > _options.MaxConnectionsPerAddress)
        {
            ReleaseAddress(address);
            refusal = "too many connections from your address";
        }

        if (refusal is not null)
        {
            ReleaseCount();
            Refuse(socket, address, refusal, tls);
            return;
        }

        long id = Interlocked.Increment(ref _nextId);
        ClientConnection connection;
        try
        {
            connection = new ClientConnection(id, socket, new NetworkStream(socket, ownsSocket: false), tls, _context);
        }
        catch
        {
            ReleaseAddress(address);
            ReleaseCount();
            throw;
        }

        _connections[id] = connection;
        NetworkingLog.Accepted(_logger, id, connection.RemoteEndPoint);
        if (Volatile.Read(ref _closing))
        {
            connection.CloseWith(_context.Replies.ShutdownNotice, _context.Replies.ShuttingDown); // accepted while StopAsync took its snapshot
        }

        connection.Start(tls ? _tls : null, OnClosed, _stopping.Token);
    }

    private void Refuse(Socket socket, IPAddress address, string reason, bool tls)
    {
        NetworkingLog.Refused(_logger, address, reason);
        try
        {
            if (!tls)
            {
                // Non-blocking: the line fits any fresh socket's send buffer, and nothing may wait on this client.
                socket.Blocking = false;
                socket.Send(_context.Replies.ServerFull(reason));
            }

            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // It left already.
        }
        finally
        {
            socket.Dispose();
        }
    }

    private void OnClosed(ClientConnection connection)
    {
        _connections.TryRemove(connection.Id, out _);
        ReleaseAddress(connection.RemoteAddress.IsIPv4MappedToIPv6 ? connection.RemoteAddress.MapToIPv4() : connection.RemoteAddress);
        NetworkingLog.Closed(_logger, connection.Id);
        ReleaseCount();
    }

    private void ReleaseCount()
    {
        if (Interlocked.Decrement(ref _count) == 0)
        {
            Interlocked.Exchange(ref _idle, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    private void ReleaseAddress(IPAddress address)
    {
        while (_perAddress.TryGetValue(address, out int n))
        {
            bool done = n <= 1
                ? _perAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, n))
                : _perAddress.TryUpdate(address, n - 1, n);
            if (done)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Once a quarter second: close connections behind past the slow-consumer grace, past the login deadline or idle for
    /// too long; start due session checks. One sweep for all, so no connection needs a timer of its own.
    /// </summary>
    private async Task SweepLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250), _context.Time);
        var loginTimeout = _context.Replies.AuthTimeout(_options.LoginTimeout);
        var idle = _context.Replies.IdleClosing;
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                long now = _context.Time.GetTimestamp();
                var utcNow = _context.Time.GetUtcNow();
                foreach (var connection in _connections.Values)
                {
                    long behindSince = connection.BehindSince;
                    if (behindSince != 0 && _context.Time.GetElapsedTime(behindSince, now) >= _options.SlowConsumerGrace)
                    {
                        connection.CloseAsSlowConsumer();
                        continue;
                    }

                    var session = connection.Session;
                    if (!session.IsLoggedIn)
                    {
                        if (_context.Time.GetElapsedTime(connection.ConnectedAt, now) >= _options.LoginTimeout
                            && session.TryCloseBeforeLogin(loginTimeout))
                        {
                            NetworkingLog.ClosedForReason(_logger, connection.Id, "login timeout");
                        }
                    }
                    else if (_options.IdleTimeout > TimeSpan.Zero
                        && _context.Time.GetElapsedTime(connection.LastActivity, now) >= _options.IdleTimeout)
                    {
                        NetworkingLog.ClosedForReason(_logger, connection.Id, "idle timeout");
                        connection.CloseWith(idle);
                    }
                    else
                    {
                        _sessions.CheckIfDue(session, utcNow, _stopping.Token);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}

using System.Net.Security;
using System.Net.Sockets;

namespace TcpChat.Server.Networking;

internal sealed partial class ClientConnection
{
    /// <summary>Runs the connection to its end (<see cref="Running"/>); never throws.</summary>
    /// <param name="tls">Server TLS options for a TLS listener; null for plaintext.</param>
    /// <param name="onClosed">Called last, when everything is torn down.</param>
    /// <param name="stopping">The server's stopping token: it ends a TLS handshake or a login call in progress.</param>
    public void Start(SslServerAuthenticationOptions? tls, Action<ClientConnection> onClosed, CancellationToken stopping) =>
        Running = RunAsync(tls, onClosed, stopping);

    private async Task RunAsync(SslServerAuthenticationOptions? tls, Action<ClientConnection> onClosed, CancellationToken stopping)
    {
        // Every event of this connection, here or in the chat code it calls, carries its id, address and (once known) user.
        using var scope = _context.Logger.BeginScope(new ConnectionLogScope(this));
        try
        {
            if (tls is not null)
            {
                await AuthenticateTlsAsync(tls, stopping).ConfigureAwait(false);
                ReleaseOutbox();
            }

            Send(_context.Replies.Greeting);
            await ReadLoopAsync(stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (Disconnects.IsClientGone(ex))
        {
            NetworkingLog.ClientGone(_context.Logger, Id, ex);
        }
        catch (Exception ex)
        {
            NetworkingLog.ConnectionFaulted(_context.Logger, Id, ex);
        }
        finally
        {
            // Teardown, in this order:
            // 1. leave rooms and release the nick, so others see the quit at once and stop queueing to us;
            _context.Commands.Disconnect(Session);

            // 2. close the outbox, so what is queued (OK BYE, ERR ...) is written and nothing more is taken;
            // 3. wait for that, but never longer than the shutdown timeout: a client that stopped reading can't hold us;
            await WaitForOutboxAsync(CompleteOutbox()).ConfigureAwait(false);

            // 4. close the socket and free what the connection holds;
            Dispose();

            // 5. and leave the server's table last, so the server never forgets a connection that is still running.
            onClosed(this);
        }
    }

    private async Task AuthenticateTlsAsync(SslServerAuthenticationOptions tls, CancellationToken stopping)
    {
        // The handshake counts against the login timeout, so a client that opens TLS and stalls is reaped.
        using var timeout = new CancellationTokenSource(_context.Options.LoginTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        _stream = ssl;
        await ssl.AuthenticateAsServerAsync(tls, linked.Token).ConfigureAwait(false);
    }

    private async Task WaitForOutboxAsync(Task drained)
    {
        try
        {
            await drained.WaitAsync(_context.Options.ShutdownTimeout, _context.Time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            NetworkingLog.FlushTimedOut(_context.Logger, Id);
            _socket.Close(0); // the writer's pending send fails and it ends
        }
    }

    public void Dispose()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already reset by the peer.
        }

        _stream.Dispose();
        _socket.Dispose();
        Session.Dispose();
    }
}

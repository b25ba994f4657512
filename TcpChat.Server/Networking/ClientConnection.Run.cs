using System.Net.Security;
using System.Net.Sockets;

namespace TcpChat.Server.Networking;

internal sealed partial class ClientConnection
{
    /// <summary>Runs the connection to its end; never throws.</summary>
    public async Task RunAsync(SslServerAuthenticationOptions? tls, Func<ClientConnection, byte[]> greeting, Action<ClientConnection> onClosed)
    {
        Task writer = Task.CompletedTask;
        try
        {
            if (tls is not null)
            {
                await AuthenticateTlsAsync(tls).ConfigureAwait(false);
            }

            writer = WriteLoopAsync();
            Send(greeting(this));
            await ReadLoopAsync(_reading.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsClientGone(ex))
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
            _context.Commands.Disconnect(this);

            // 2. complete the outbox, so the writer flushes what is queued (OK BYE, ERR ...) and ends;
            _outbox.Writer.TryComplete();

            // 3. wait for that flush, but never longer than the shutdown timeout: a client that stopped reading can't hold us;
            await WaitForWriterAsync(writer).ConfigureAwait(false);

            // 4. close the socket and free what the connection holds;
            Dispose();

            // 5. and leave the server's table last, so the server never forgets a connection that is still running.
            onClosed(this);
        }
    }

    private async Task AuthenticateTlsAsync(SslServerAuthenticationOptions tls)
    {
        // The handshake counts against the login timeout, so a client that opens TLS and stalls is reaped.
        using var timeout = new CancellationTokenSource(_context.Options.LoginTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _reading.Token);
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        _stream = ssl;
        await ssl.AuthenticateAsServerAsync(tls, linked.Token).ConfigureAwait(false);
    }

    private async Task WaitForWriterAsync(Task writer)
    {
        try
        {
            await writer.WaitAsync(_context.Options.ShutdownTimeout, _context.Time).ConfigureAwait(false);
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
        _reading.Dispose();
        _lineLimiter?.Dispose();
    }

    /// <summary>Reset, aborted, disposed or cancelled: the client left or we closed it; not a fault.</summary>
    private static bool IsClientGone(Exception ex) => ex switch
    {
        OperationCanceledException or ObjectDisposedException => true,
        IOException { InnerException: SocketException } => true,
        IOException when ex.Source == "System.Net.Security" => true,
        System.Security.Authentication.AuthenticationException => true,
        SocketException => true,
        _ => false,
    };
}

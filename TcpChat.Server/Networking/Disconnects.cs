using System.Net.Sockets;
using System.Security.Authentication;

namespace TcpChat.Server.Networking;

/// <summary>
/// Tells "the client left (or we closed it)" from a real fault, by exception type and socket error code, as
/// Kestrel's socket transport does: the first is logged at Debug, the second as an error.
/// </summary>
internal static class Disconnects
{
    public static bool IsClientGone(Exception ex) => ex switch
    {
        OperationCanceledException or ObjectDisposedException => true,
        SocketException socket => IsGone(socket.SocketErrorCode),
        IOException { InnerException: SocketException socket } => IsGone(socket.SocketErrorCode),

        // SslStream's own reports of a peer that vanished mid-record or failed its handshake.
        IOException when ex.Source == "System.Net.Security" => true,
        AuthenticationException => true,
        _ => false,
    };

    /// <summary>Reset, aborted or shut down by the peer, or our own close cancelling a pending operation.</summary>
    public static bool IsGone(SocketError error) => error is SocketError.ConnectionReset or SocketError.ConnectionAborted
        or SocketError.Shutdown or SocketError.OperationAborted or SocketError.Interrupted or SocketError.NotConnected
        or SocketError.TimedOut

        // On Linux a socket closed under a pending operation can report EINVAL (Kestrel treats it the same).
        or SocketError.InvalidArgument;
}

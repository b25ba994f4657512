using System.Net;

namespace TcpChat.Server.Chat;

/// <summary>
/// The only way a <see cref="ChatSession"/> reaches its client: a connection in production, a list in tests. Every
/// member is safe to call from any thread and never blocks.
/// </summary>
internal interface ISessionOutput
{
    /// <summary>Queues an encoded line. A client that cannot keep up is closed by its connection, never waited for.</summary>
    void Send(byte[] line);

    /// <summary>Queues a line that may wait a few milliseconds to share a write (presence events); order is kept.</summary>
    void SendDeferred(byte[] line);

    /// <summary>Queues the last lines the client gets and closes; later lines are dropped. A second call adds nothing.</summary>
    void CloseWith(params byte[][] finalLines);

    IPAddress RemoteAddress { get; }

    bool IsTls { get; }

    /// <summary>True once the client was closed for not reading its output.</summary>
    bool IsSlowConsumer { get; }
}

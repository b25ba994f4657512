namespace TcpChat.Bench.Net;

/// <summary>Receives every line of a connection's hot receive loop (without the LF), with the time the bytes arrived.</summary>
internal interface ILineSink
{
    void OnLine(ReadOnlySpan<byte> line, long receivedAt);

    /// <summary>Called after each received batch of lines.</summary>
    void OnBatchEnd();
}

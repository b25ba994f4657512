using TcpChat.Bench.Net;

namespace TcpChat.Bench.Scenarios;

/// <summary>Reads and drops everything (held connections still get room notices and must not become slow consumers).</summary>
internal sealed class DiscardSink : ILineSink
{
    public static readonly DiscardSink Instance = new();

    public void OnLine(ReadOnlySpan<byte> line, long receivedAt)
    {
    }

    public void OnBatchEnd()
    {
    }
}

using TcpChat.Bench.Measure;
using TcpChat.Bench.Net;

namespace TcpChat.Bench.Scenarios;

/// <summary>
/// Checks one client's stream: every sender's lines in order (sequence numbers with no gap), and records latency.
/// Runs on that client's receive loop only, so nothing here is shared or locked.
/// </summary>
internal sealed class Receiver(int senders, long expected) : ILineSink
{
    private readonly long[] _next = new long[senders];
    private bool _complete = expected == 0;

    /// <summary>
    /// Starts a new round (the measured one after a warm-up) on the same connection. Called only when the previous
    /// round is complete and nothing is in flight, so the receive loop is idle.
    /// </summary>
    public void Reset(DeliveryTracker tracker)
    {
        Array.Clear(_next);
        Received = 0;
        OutOfOrder = 0;
        LastReceivedAt = 0;
        Latency.Clear();
        _complete = expected == 0;
        Tracker = tracker;
    }

    public DeliveryTracker? Tracker { get; set; }

    public long Expected => expected;

    public long Received { get; private set; }

    public long OutOfOrder { get; private set; }

    public long LastReceivedAt { get; private set; }

    public LatencyHistogram Latency { get; } = new();

    public void OnLine(ReadOnlySpan<byte> line, long receivedAt)
    {
        if (!MessageFormat.TryParse(line, out int sender, out long sequence, out long sentAt) || sender >= senders)
        {
            return; // greeting, joins, probes, /who rows
        }

        if (sequence != _next[sender])
        {
            OutOfOrder++;
        }

        _next[sender] = sequence + 1;
        Received++;
        LastReceivedAt = receivedAt;
        if (sentAt >= Tracker!.MeasureFrom)
        {
            Latency.Record(receivedAt - sentAt);
        }
    }

    public void OnBatchEnd()
    {
        if (!_complete && Received >= expected)
        {
            _complete = true;
            Tracker!.ReceiverComplete();
        }
    }
}

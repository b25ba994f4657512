using TcpChat.Bench.Measure;

namespace TcpChat.Bench.Scenarios;

/// <summary>Shared by the receivers of one run: signals when every receiver has all it expects.</summary>
internal sealed class DeliveryTracker(Receiver[] receivers)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _remaining = receivers.Count(r => r.Expected > 0); // a lone sender expects nothing

    public Receiver[] Receivers => receivers;

    /// <summary>Lines stamped before this timestamp are not counted in latency (warm-up).</summary>
    public long MeasureFrom { get; set; }

    public Task Done => _remaining == 0 ? Task.CompletedTask : _done.Task;

    public long Received => receivers.Sum(r => r.Received);

    public long Expected => receivers.Sum(r => r.Expected);

    public long OutOfOrder => receivers.Sum(r => r.OutOfOrder);

    /// <summary>Expected lines that never came (a duplicate cannot hide a loss: it counts as out of order).</summary>
    public long Lost => receivers.Sum(r => Math.Max(0, r.Expected - r.Received));

    public long LastReceivedAt => receivers.Max(r => r.LastReceivedAt);

    public void ReceiverComplete()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _done.TrySetResult();
        }
    }

    public LatencyHistogram MergedLatency()
    {
        var merged = new LatencyHistogram();
        foreach (var receiver in receivers)
        {
            merged.Add(receiver.Latency);
        }

        return merged;
    }

    /// <summary>Waits until all is delivered, or nothing new arrived for <paramref name="idleTimeout"/>.</summary>
    public async Task<bool> WaitAsync(TimeSpan idleTimeout)
    {
        long last = -1;
        var lastProgress = DateTime.UtcNow;
        while (true)
        {
            await Task.WhenAny(Done, Task.Delay(100)).ConfigureAwait(false);
            if (Done.IsCompleted)
            {
                return true;
            }

            long received = Received;
            if (received != last)
            {
                last = received;
                lastProgress = DateTime.UtcNow;
            }
            else if (DateTime.UtcNow - lastProgress > idleTimeout)
            {
                return false;
            }
        }
    }
}

using System.Diagnostics;
using TcpChat.Bench.Measure;
using TcpChat.Bench.Net;
using TcpChat.Bench.Reporting;

namespace TcpChat.Bench.Scenarios;

/// <summary>
/// N clients in one room; S of them send M lines each, pipelined as fast as the server takes them; every receiver
/// checks it got every line of every other sender, in order. <c>stream</c> is the same with 2 clients and 1 sender.
/// </summary>
internal static class FanoutScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        bool stream = options.Scenario == "stream";
        int clientCount = options.Int("clients", stream ? 2 : 100);
        int senders = options.Int("senders", stream ? 1 : 10);
        int messages = options.Int("messages", stream ? 200_000 : 2_000);
        int chunkBytes = options.Int("chunk", 16 * 1024);
        int receiveBuffer = options.Int("receive-buffer", 64 * 1024);
        int warmupRounds = options.Int("warmup-rounds", 1);
        var result = new ScenarioResult(options.Label, options.Scenario, options.Raw);
        result.Setting("clients", clientCount);
        result.Setting("senders", senders);
        result.Setting("messages", messages);
        if (senders > clientCount)
        {
            throw new ArgumentException("--senders cannot exceed --clients");
        }

        var setup = Stopwatch.StartNew();
        var clients = await ChatClients.OpenRoomAsync(options, clientCount, receiveBuffer, cancellationToken).ConfigureAwait(false);
        result.Figure("setup", setup.Elapsed.TotalSeconds, "s");
        try
        {
            var receivers = new Receiver[clientCount];
            for (int i = 0; i < clientCount; i++)
            {
                // The server never echoes a sender's own lines.
                receivers[i] = new Receiver(senders, (long)(senders - (i < senders ? 1 : 0)) * messages);
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var loops = clients.Select((c, i) => Task.Run(() => c.ReceiveLoopAsync(receivers[i], stop.Token), cancellationToken)).ToArray();

            // Warm-up rounds, same size, not reported: JIT tiering of both processes would otherwise be measured.
            for (int round = 0; round < warmupRounds; round++)
            {
                var (warm, _, warmComplete) = await RoundAsync(clients, receivers, senders, messages, chunkBytes, options, stop.Token).ConfigureAwait(false);
                if (!warmComplete || warm.Lost > 0 || warm.OutOfOrder > 0)
                {
                    result.Failures.Add($"warm-up round: lost {warm.Lost}, out of order {warm.OutOfOrder}");
                }
            }

            double cpuBefore = ProcessStats.CpuSeconds(options.ServerPid);
            var (tracker, timing, complete) = await RoundAsync(clients, receivers, senders, messages, chunkBytes, options, stop.Token).ConfigureAwait(false);
            double cpuAfter = ProcessStats.CpuSeconds(options.ServerPid);
            long cpuAt = Stopwatch.GetTimestamp(); // the wait polls, so this is a little after the last delivery
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(loops).ConfigureAwait(false);
            var (start, sent) = timing;

            long end = complete ? tracker.LastReceivedAt : Stopwatch.GetTimestamp();
            double elapsed = Stopwatch.GetElapsedTime(start, end).TotalSeconds;
            var latency = tracker.MergedLatency();
            result.Figure("deliveries", tracker.Received);
            result.Figure("elapsed", elapsed, "s");
            result.Figure("deliveries_per_s", tracker.Received / elapsed, "/s");
            result.Figure("send_elapsed", Stopwatch.GetElapsedTime(start, sent).TotalSeconds, "s");
            result.Figure("p50_ms", latency.PercentileMs(50), "ms");
            result.Figure("p90_ms", latency.PercentileMs(90), "ms");
            result.Figure("p99_ms", latency.PercentileMs(99), "ms");
            result.Figure("max_ms", latency.MaxMs, "ms");
            if (options.ServerPid > 0)
            {
                result.Figure("server_cpu_pct", (cpuAfter - cpuBefore) / Stopwatch.GetElapsedTime(start, cpuAt).TotalSeconds * 100, "% of one core");
            }

            result.MustBeZero("lost", tracker.Lost);
            result.MustBeZero("out_of_order", tracker.OutOfOrder);
            return result;
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Abort();
            }
        }
    }

    /// <summary>One round: every sender sends its lines, then wait until every receiver has them (or nothing moves).</summary>
    private static async Task<(DeliveryTracker Tracker, (long Start, long Sent) Timing, bool Complete)> RoundAsync(
        BenchConnection[] clients, Receiver[] receivers, int senders, int messages, int chunkBytes, BenchOptions options, CancellationToken cancellationToken)
    {
        var tracker = new DeliveryTracker(receivers);
        foreach (var receiver in receivers)
        {
            receiver.Reset(tracker);
        }

        long start = Stopwatch.GetTimestamp();
        var sending = Enumerable.Range(0, senders)
            .Select(s => Task.Run(() => SendAllAsync(clients[s], s, messages, chunkBytes, cancellationToken), cancellationToken))
            .ToArray();
        await Task.WhenAll(sending).ConfigureAwait(false);
        long sent = Stopwatch.GetTimestamp();
        bool complete = await tracker.WaitAsync(options.IdleTimeout).ConfigureAwait(false);
        return (tracker, (start, sent), complete);
    }

    private static async Task SendAllAsync(BenchConnection client, int sender, int messages, int chunkBytes, CancellationToken cancellationToken)
    {
        byte[] chunk = new byte[chunkBytes];
        long sequence = 0;
        while (sequence < messages)
        {
            int length = 0;
            int written;
            while (sequence < messages
                && (written = MessageFormat.Write(chunk.AsSpan(length), sender, sequence, Stopwatch.GetTimestamp())) > 0)
            {
                length += written;
                sequence++;
            }

            await client.SendAsync(chunk.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
    }
}

using System.Diagnostics;
using TcpChat.Bench.Measure;
using TcpChat.Bench.Net;
using TcpChat.Bench.Reporting;

namespace TcpChat.Bench.Scenarios;

/// <summary>
/// A fixed total rate for a fixed time, spread round-robin over the senders: latency percentiles, the server's CPU
/// and how long after the last send the last line arrives. The first <c>--warmup</c> seconds are not measured.
/// </summary>
internal static class PacedScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        int clientCount = options.Int("clients", 100);
        int senders = options.Int("senders", 10);
        int rate = options.Int("rate", 1_000);
        double duration = options.Double("duration", 20);
        double warmup = options.Double("warmup", 1);
        int receiveBuffer = options.Int("receive-buffer", 16 * 1024);
        var result = new ScenarioResult(options.Label, options.Scenario, options.Raw);
        result.Setting("clients", clientCount);
        result.Setting("senders", senders);
        result.Setting("rate", rate);
        result.Setting("duration_s", duration);
        result.Setting("warmup_s", warmup);

        var clients = await ChatClients.OpenRoomAsync(options, clientCount, receiveBuffer, cancellationToken).ConfigureAwait(false);
        try
        {
            long warmupLines = (long)(rate * warmup);
            long totalLines = warmupLines + (long)(rate * duration);
            var receivers = new Receiver[clientCount];
            for (int i = 0; i < clientCount; i++)
            {
                long expected = 0;
                for (int s = 0; s < senders; s++)
                {
                    expected += s == i ? 0 : LinesOf(s, senders, totalLines);
                }

                receivers[i] = new Receiver(senders, expected);
            }

            var tracker = new DeliveryTracker(receivers) { MeasureFrom = long.MaxValue };
            foreach (var receiver in receivers)
            {
                receiver.Tracker = tracker;
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var loops = clients.Select((c, i) => Task.Run(() => c.ReceiveLoopAsync(receivers[i], stop.Token), cancellationToken)).ToArray();
            var pacer = new Pacer(clients, senders, rate, totalLines, warmupLines, options.ServerPid, tracker);
            var thread = new Thread(pacer.Run) { IsBackground = true, Name = "pacer", Priority = ThreadPriority.AboveNormal };
            double benchCpuBefore = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
            thread.Start();
            await Task.Run(thread.Join, cancellationToken).ConfigureAwait(false);
            double serverCpu = ProcessStats.CpuSeconds(options.ServerPid) - pacer.CpuAtMeasureStart;
            double benchCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - benchCpuBefore;
            double measured = Stopwatch.GetElapsedTime(pacer.MeasureStart, pacer.LastSentAt).TotalSeconds;
            bool complete = await tracker.WaitAsync(options.IdleTimeout).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(loops).ConfigureAwait(false);

            var latency = tracker.MergedLatency();
            double elapsed = Stopwatch.GetElapsedTime(pacer.Start, complete ? tracker.LastReceivedAt : Stopwatch.GetTimestamp()).TotalSeconds;
            result.Figure("deliveries", tracker.Received);
            result.Figure("elapsed", elapsed, "s");
            result.Figure("deliveries_per_s", tracker.Received / elapsed, "/s");
            result.Figure("lines_per_s_sent", totalLines / Stopwatch.GetElapsedTime(pacer.Start, pacer.LastSentAt).TotalSeconds, "/s");
            result.Figure("p50_ms", latency.PercentileMs(50), "ms");
            result.Figure("p90_ms", latency.PercentileMs(90), "ms");
            result.Figure("p99_ms", latency.PercentileMs(99), "ms");
            result.Figure("max_ms", latency.MaxMs, "ms");
            result.Figure("last_line_after_last_send_ms", Stopwatch.GetElapsedTime(pacer.LastSentAt, tracker.LastReceivedAt).TotalMilliseconds, "ms");
            if (options.ServerPid > 0)
            {
                result.Figure("server_cpu_pct", serverCpu / measured * 100, "% of one core");
            }

            result.Figure("bench_cpu_pct", benchCpu / elapsed * 100, "% of one core");
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

    /// <summary>Line k goes to sender k % senders.</summary>
    private static long LinesOf(int sender, int senders, long totalLines) =>
        (totalLines / senders) + (sender < totalLines % senders ? 1 : 0);

    /// <summary>
    /// Sends line k at start + k / rate (absolute deadlines, so late wake-ups never lower the rate). It sleeps between
    /// deadlines rather than spinning, as the server needs the cores; each line is stamped when it is really sent.
    /// </summary>
    private sealed class Pacer(BenchConnection[] clients, int senders, int rate, long totalLines, long warmupLines, int serverPid, DeliveryTracker tracker)
    {
        public long Start { get; private set; }

        public long MeasureStart { get; private set; }

        public long LastSentAt { get; private set; }

        public double CpuAtMeasureStart { get; private set; }

        public void Run()
        {
            var sequences = new long[senders];
            byte[] line = new byte[64];
            double ticksPerLine = (double)Stopwatch.Frequency / rate;
            Start = Stopwatch.GetTimestamp();
            MeasureStart = Start;
            for (long k = 0; k < totalLines; k++)
            {
                long deadline = Start + (long)(k * ticksPerLine);
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    Thread.Sleep(1);
                }

                if (k == warmupLines)
                {
                    CpuAtMeasureStart = ProcessStats.CpuSeconds(serverPid);
                    MeasureStart = Stopwatch.GetTimestamp();
                    tracker.MeasureFrom = MeasureStart;
                }

                int sender = (int)(k % senders);
                long now = Stopwatch.GetTimestamp();
                int length = MessageFormat.Write(line, sender, sequences[sender]++, now);
                clients[sender].Send(line.AsSpan(0, length));
                LastSentAt = now;
            }

            if (warmupLines >= totalLines)
            {
                CpuAtMeasureStart = ProcessStats.CpuSeconds(serverPid);
            }
        }
    }
}

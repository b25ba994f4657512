using System.Diagnostics;
using TcpChat.Bench.Measure;
using TcpChat.Bench.Net;
using TcpChat.Bench.Reporting;

namespace TcpChat.Bench.Scenarios;

/// <summary>
/// Opens C clients from source addresses 127.0.0.2, .3, … (so the ephemeral port range is never the limit), logs
/// them in with AUTH, holds them, and reports the server's RSS growth per connection.
/// </summary>
internal static class ConnectionsScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        int count = options.Int("clients", 10_000);
        int perAddress = options.Int("per-address", 1_000);
        int concurrency = options.Int("concurrency", 64);
        double hold = options.Double("hold", 20);
        int receiveBuffer = options.Int("receive-buffer", 2 * 1024);
        var result = new ScenarioResult(options.Label, options.Scenario, options.Raw);
        result.Setting("clients", count);
        result.Setting("hold_s", hold);
        result.Setting("concurrency", concurrency);
        if (!options.Raw)
        {
            result.Setting("hash_cost", options.HashCost);
            var prep = Stopwatch.StartNew();
            await Users.CreateAsync(options, count, cancellationToken).ConfigureAwait(false);
            result.Figure("users_created_in", prep.Elapsed.TotalSeconds, "s");
        }

        // Let the server settle after the signups so the baseline is not inflated by their garbage.
        await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
        long rssBefore = ProcessStats.RssKb(options.ServerPid);
        var clients = new BenchConnection[count];
        var loops = new Task[count];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long start = Stopwatch.GetTimestamp();
        try
        {
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                var client = await BenchConnection.ConnectAsync(options.Server, ChatClients.Source(i, perAddress), receiveBuffer, ct).ConfigureAwait(false);
                clients[i] = client;
                if (!options.Raw)
                {
                    await ChatClients.LogInAsync(client, "AUTH " + ChatClients.Email(options, i) + " " + ChatClients.Password, ct).ConfigureAwait(false);
                }

                // Keep reading: everyone is in the default room and gets every later login's join notice.
                loops[i] = Task.Run(() => client.ReceiveLoopAsync(DiscardSink.Instance, stop.Token), CancellationToken.None);
            }).ConfigureAwait(false);
            double loginSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            result.Figure("logged_in", count);
            result.Figure("all_logged_in_after", loginSeconds, "s");
            result.Figure("logins_per_s", count / loginSeconds, "/s");
            long rssLoggedIn = ProcessStats.RssKb(options.ServerPid);

            await Task.Delay(TimeSpan.FromSeconds(hold), cancellationToken).ConfigureAwait(false);
            long rssAfter = ProcessStats.RssKb(options.ServerPid);
            int closed = loops.Count(l => l.IsCompleted);
            result.Figure("server_rss_before_kb", rssBefore, "KiB");
            result.Figure("server_rss_logged_in_kb", rssLoggedIn, "KiB");
            result.Figure("server_rss_after_hold_kb", rssAfter, "KiB");
            result.Figure("kb_per_connection", (rssAfter - rssBefore) / (double)count, "KiB");
            result.MustBeZero("closed_during_hold", closed);
            return result;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var client in clients)
            {
                client?.Abort();
            }

            await Task.WhenAll(loops.Where(l => l is not null)).ConfigureAwait(false);
        }
    }
}

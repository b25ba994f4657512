using System.Diagnostics;
using TcpChat.Bench.Measure;
using TcpChat.Bench.Net;
using TcpChat.Bench.Reporting;

namespace TcpChat.Bench.Scenarios;

/// <summary>
/// Logins per second, each on a fresh connection (connect, greeting, login, <c>OK AUTH</c> + <c>OK JOIN</c>, reset):
/// AUTH (password checked by the embedded endpoint at the configured hash cost), then TOKEN (JWT checked locally).
/// </summary>
internal static class LoginsScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        int users = options.Int("users", 100);
        int authLogins = options.Int("auth-logins", 2_000);
        int tokenLogins = options.Int("token-logins", 20_000);
        int concurrency = options.Int("concurrency", 32);
        int perAddress = options.Int("per-address", 5_000);
        var result = new ScenarioResult(options.Label, options.Scenario, options.Raw);
        result.Setting("users", users);
        result.Setting("concurrency", concurrency);
        result.Setting("hash_cost", options.HashCost);
        if (options.Raw)
        {
            throw new ArgumentException("logins has no --raw mode");
        }

        await Users.CreateAsync(options, users, cancellationToken).ConfigureAwait(false);
        string[] tokens = await Users.GetTokensAsync(options, users, cancellationToken).ConfigureAwait(false);

        await MeasureAsync("auth", authLogins, i => "AUTH " + ChatClients.Email(options, i % users) + " " + ChatClients.Password).ConfigureAwait(false);
        await MeasureAsync("token", tokenLogins, i => "TOKEN " + tokens[i % users]).ConfigureAwait(false);
        return result;

        async Task MeasureAsync(string name, int count, Func<int, string> loginLine)
        {
            var latency = new LatencyHistogram();
            var gate = new Lock();
            long start = Stopwatch.GetTimestamp();
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                long began = Stopwatch.GetTimestamp();
                var client = await BenchConnection.ConnectAsync(options.Server, ChatClients.Source(i, perAddress), 4096, ct).ConfigureAwait(false);
                try
                {
                    await ChatClients.LogInAsync(client, loginLine(i), ct).ConfigureAwait(false);
                }
                finally
                {
                    client.Abort();
                }

                long took = Stopwatch.GetTimestamp() - began;
                lock (gate)
                {
                    latency.Record(took);
                }
            }).ConfigureAwait(false);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            result.Figure(name + "_logins", count);
            result.Figure(name + "_elapsed", seconds, "s");
            result.Figure(name + "_logins_per_s", count / seconds, "/s");
            result.Figure(name + "_p50_ms", latency.PercentileMs(50), "ms");
            result.Figure(name + "_p99_ms", latency.PercentileMs(99), "ms");
        }
    }
}

using System.Globalization;
using System.Text.Json;

namespace TcpChat.Bench.Reporting;

/// <summary>
/// Turns the JSON lines of a bench.sh sitting into the results table: the median of repeated runs per figure, the C
/// relay's figure beside it (same label, <c>raw</c>), and the target of the performance issue.
/// </summary>
internal static class MarkdownTable
{
    private static readonly Row[] Rows =
    [
        new("fanout-100", "deliveries_per_s", "deliveries/s", ">=", 8e6),
        new("fanout-100", "p99_ms", "latency p99 (ms, pipelined)", null, 0),
        new("fanout-100", "lost", "lost", "==", 0),
        new("fanout-100", "out_of_order", "out of order", "==", 0),
        new("fanout-1000", "deliveries_per_s", "deliveries/s", ">=", 8e6),
        new("fanout-1000", "lost", "lost", "==", 0),
        new("fanout-1000", "out_of_order", "out of order", "==", 0),
        new("stream", "deliveries_per_s", "deliveries/s", ">=", 3e6, HalfOfRelay: true),
        new("stream", "lost", "lost", "==", 0),
        new("paced", "p50_ms", "latency p50 (ms)", "<=", 0.7),
        new("paced", "p90_ms", "latency p90 (ms)", "<=", 1.6),
        new("paced", "p99_ms", "latency p99 (ms)", null, 0),
        new("paced", "max_ms", "latency max (ms)", null, 0),
        new("paced", "server_cpu_pct", "server CPU (% of one core)", "<=", 40),
        new("paced", "last_line_after_last_send_ms", "last line after last send (ms)", "<=", 5),
        new("paced", "lost", "lost", "==", 0),
        new("paced", "out_of_order", "out of order", "==", 0),
        new("connections", "all_logged_in_after", "all 10,000 logged in after (s)", "<=", 10),
        new("connections", "kb_per_connection", "server RSS per connection (KiB)", "<=", 4),
        new("connections", "server_rss_after_hold_kb", "server RSS after hold (KiB)", null, 0),
        new("connections", "closed_during_hold", "closed during hold", "==", 0),
        new("logins", "token_logins_per_s", "TOKEN logins/s", ">=", 10_000),
        new("logins", "auth_logins_per_s", "AUTH logins/s", null, 0),
    ];

    public static int Print(string[] files, TextWriter output)
    {
        var runs = files.SelectMany(File.ReadLines)
            .Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToList();
        string HashCost() => runs.Where(r => Label(r) == "logins" && r.TryGetProperty("hash_cost", out _))
            .Select(r => r.GetProperty("hash_cost").GetString()).FirstOrDefault() ?? "?";

        output.WriteLine("| scenario | figure | TcpChat | C relay | TcpChat / relay | target | met |");
        output.WriteLine("|---|---|---:|---:|---:|---|---|");
        bool allMet = true;
        foreach (var row in Rows)
        {
            double? chat = Median(runs, row.Label, row.Key, raw: false);
            if (chat is null)
            {
                continue;
            }

            double? relay = Median(runs, row.Label, row.Key, raw: true);
            string ratio = relay is > 0 && !row.Key.Contains("lost", StringComparison.Ordinal) && !row.Key.Contains("order", StringComparison.Ordinal)
                ? (chat.Value / relay.Value).ToString("0.00", CultureInfo.InvariantCulture)
                : string.Empty;
            bool? met = row.Op switch
            {
                ">=" => chat >= row.Target && (!row.HalfOfRelay || relay is null || chat >= relay / 2),
                "<=" => chat <= row.Target,
                "==" => chat == row.Target,
                _ => null,
            };
            allMet &= met != false;
            string target = row.Op is null ? (row.Key.StartsWith("auth", StringComparison.Ordinal) ? $"report (PBKDF2 cost {HashCost()})" : string.Empty)
                : $"{row.Op.Replace(">=", "≥", StringComparison.Ordinal).Replace("<=", "≤", StringComparison.Ordinal)} {Format(row.Target)}{(row.HalfOfRelay ? " and ≥ ½ relay" : string.Empty)}";
            output.WriteLine($"| {row.Label} | {row.Name} | {Format(chat.Value)} | {(relay is null ? string.Empty : Format(relay.Value))} | {ratio} | {target} | {(met is null ? string.Empty : met.Value ? "yes" : "**no**")} |");
        }

        int sittings = runs.Where(r => !Raw(r)).GroupBy(Label).Select(g => g.Count()).DefaultIfEmpty(0).Max();
        output.WriteLine();
        output.WriteLine($"Medians of {sittings} run(s) per scenario. Failed runs: {runs.Count(r => !r.GetProperty("ok").GetBoolean())}.");
        return allMet ? 0 : 1;
    }

    private static double? Median(List<JsonElement> runs, string label, string key, bool raw)
    {
        var values = runs.Where(r => Label(r) == label && Raw(r) == raw && r.TryGetProperty(key, out _))
            .Select(r => r.GetProperty(key).GetDouble())
            .Order()
            .ToArray();
        return values.Length == 0 ? null : values[values.Length / 2];
    }

    private static string Label(JsonElement run) => run.GetProperty("label").GetString() ?? string.Empty;

    private static bool Raw(JsonElement run) => run.GetProperty("raw").GetBoolean();

    private static string Format(double value) => Math.Abs(value) switch
    {
        >= 1e6 => (value / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " M",
        >= 1e4 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 100 => value.ToString("0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.###", CultureInfo.InvariantCulture),
    };

    private sealed record Row(string Label, string Key, string Name, string? Op, double Target, bool HalfOfRelay = false);
}

using System.Globalization;
using System.Net;

namespace TcpChat.Bench;

/// <summary>Command-line settings: <c>&lt;scenario&gt; [--name value]... [--raw]</c>. Unknown options are an error.</summary>
internal sealed class BenchOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);

    private BenchOptions(string scenario) => Scenario = scenario;

    public string Scenario { get; }

    /// <summary>Label in the report (e.g. <c>fanout-100</c>); the scenario name by default.</summary>
    public string Label => Text("label", Scenario);

    /// <summary>No login: plain lines to a line relay (limit.c).</summary>
    public bool Raw => Flag("raw");

    public IPEndPoint Server => new(IPAddress.Parse(Text("host", "127.0.0.1")), Int("port", 7878));

    public int ServerPid => Int("server-pid", 0);

    public Uri DevAuth => new(Text("devauth", "http://127.0.0.1:54321"));

    public string ApiKey => Text("apikey", "sb_publishable_tcpchat_devauth_local_only");

    /// <summary>The DevAuth hash cost the server was started with; only reported.</summary>
    public int HashCost => Int("hash-cost", 0);

    /// <summary>Seconds without progress before a run gives up (and reports what was lost).</summary>
    public TimeSpan IdleTimeout => TimeSpan.FromSeconds(Double("idle-timeout", 10));

    /// <summary>Short unique id in every email, so runs against one server never collide.</summary>
    public string RunId { get; } = Convert.ToString(Random.Shared.NextInt64(36L * 36 * 36 * 36, 36L * 36 * 36 * 36 * 36), 16);

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            throw new ArgumentException("missing scenario");
        }

        var options = new BenchOptions(args[0]);
        for (int i = 1; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }

            string key = arg[2..];
            int eq = key.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                options._values[key[..eq]] = key[(eq + 1)..];
            }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                options._values[key] = args[++i];
            }
            else
            {
                options._values[key] = "true";
            }
        }

        return options;
    }

    /// <summary>Marks the options every scenario may be given (the script passes them to all).</summary>
    public void ReadCommon()
    {
        _ = Text("label", Scenario);
        _ = Flag("raw");
        _ = Server;
        _ = ServerPid;
        _ = IdleTimeout;
        _ = DevAuth;
        _ = ApiKey;
        _ = HashCost;
    }

    /// <summary>Throws for options given but never read: a typo must not silently run the default.</summary>
    public void CheckAllUsed()
    {
        var unused = _values.Keys.Where(k => !_used.Contains(k)).ToArray();
        if (unused.Length > 0)
        {
            throw new ArgumentException("unknown option(s) for " + Scenario + ": --" + string.Join(", --", unused));
        }
    }

    public int Int(string name, int fallback) => (int)Double(name, fallback);

    public double Double(string name, double fallback) =>
        Get(name) is { } value ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public string Text(string name, string fallback) => Get(name) ?? fallback;

    public bool Flag(string name) => Get(name) is { } value && value != "false";

    private string? Get(string name)
    {
        _used.Add(name);
        return _values.GetValueOrDefault(name);
    }
}

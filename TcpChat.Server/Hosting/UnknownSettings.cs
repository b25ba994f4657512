using Microsoft.Extensions.Configuration;

namespace TcpChat.Server.Hosting;

/// <summary>
/// Settings the program would silently ignore: keys in its own sections that no options class has (from any
/// source), and command-line switches that are not settings at all (<c>--port 7000</c>). Each is named, with the
/// closest known key when one is near.
/// </summary>
internal static class UnknownSettings
{
    /// <summary>Command-line keys the Generic Host itself reads; <c>Logging:*</c> is the logging framework's.</summary>
    private static readonly string[] HostKeys = ["environment", "applicationName", "contentRoot"];

    private const string LoggingSection = "Logging";

    /// <summary>One message per unknown key or switch; empty when everything is known.</summary>
    public static IReadOnlyList<string> Find(IConfiguration configuration, IReadOnlyList<OptionsSection> sections, IReadOnlyList<string> args)
    {
        var known = sections.SelectMany(s => s.Keys).Select(k => k.Key).ToList();
        var knownSet = known.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var collections = sections.SelectMany(s => s.Keys).Where(k => k.IsCollection).Select(k => k.Key + ":").ToList();
        bool IsKnown(string key) =>
            knownSet.Contains(key) || collections.Exists(c => key.StartsWith(c, StringComparison.OrdinalIgnoreCase));
        var errors = new List<string>();

        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            int prefix = arg.StartsWith("--", StringComparison.Ordinal) ? 2 : arg.StartsWith('-') || arg.StartsWith('/') ? 1 : 0;
            if (prefix == 0)
            {
                errors.Add($"unexpected argument '{arg}' (settings are given as --Section:Key=value)");
                continue;
            }

            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            string key = equals < 0 ? arg[prefix..] : arg[prefix..equals];
            bool noValue = equals < 0 && ++i >= args.Count; // else the next argument is the value, as the provider reads it

            // A key with a value inside one of our sections is checked below with the other sources, and named there.
            string section = key.Split(':')[0];
            bool ours = sections.Any(s => s.Name.Equals(section, StringComparison.OrdinalIgnoreCase));
            if (!ours && !section.Equals(LoggingSection, StringComparison.OrdinalIgnoreCase)
                && !HostKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"unknown switch '{arg[..(equals < 0 ? arg.Length : equals)]}'" + Suggest(key, known, "--"));
            }
            else if (noValue)
            {
                // The configuration provider drops such a switch, so nothing below would see it.
                errors.Add(ours && !IsKnown(key) ? $"unknown setting '{key}'" + Suggest(key, known, "") : $"switch '{arg}' has no value (use {arg}=value)");
            }
        }

        foreach (var section in sections)
        {
            foreach (var (key, value) in configuration.GetSection(section.Name).AsEnumerable())
            {
                if (value is not null && !IsKnown(key))
                {
                    errors.Add($"unknown setting '{key}'" + Suggest(key, known, ""));
                }
            }
        }

        return errors;
    }

    /// <summary>"; did you mean X?" for the known key nearest by edit distance (a bare name is also matched against key names), if near enough.</summary>
    private static string Suggest(string key, List<string> known, string prefix)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            int distance = Distance(key, candidate);
            if (!key.Contains(':', StringComparison.Ordinal))
            {
                distance = Math.Min(distance, Distance(key, candidate[(candidate.LastIndexOf(':') + 1)..]));
            }

            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best is not null && bestDistance <= Math.Max(2, key.Length / 3) ? $"; did you mean {prefix}{best}?" : "";
    }

    /// <summary>Levenshtein distance, ignoring case.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = char.ToUpperInvariant(a[i - 1]) == char.ToUpperInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + substitution);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}

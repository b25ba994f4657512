using System.Globalization;

namespace TcpChat.Bench.Measure;

/// <summary>Reads a process's memory and CPU time from /proc (Linux); zeros when the pid is unknown.</summary>
internal static class ProcessStats
{
    // USER_HZ is 100 on every Linux the bench runs on (sysconf(_SC_CLK_TCK)).
    private const double TicksPerSecond = 100.0;

    /// <summary>VmRSS in KiB.</summary>
    public static long RssKb(int pid)
    {
        if (pid <= 0)
        {
            return 0;
        }

        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>utime + stime of the process, in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        if (pid <= 0)
        {
            return 0;
        }

        string stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name may hold spaces: fields are counted after its closing parenthesis.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long utime = long.Parse(fields[11], CultureInfo.InvariantCulture); // field 14 of the full line
        long stime = long.Parse(fields[12], CultureInfo.InvariantCulture); // field 15
        return (utime + stime) / TicksPerSecond;
    }
}

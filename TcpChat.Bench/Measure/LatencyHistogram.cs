using System.Diagnostics;
using System.Numerics;

namespace TcpChat.Bench.Measure;

/// <summary>
/// A log-linear histogram of Stopwatch ticks (64 sub-buckets per power of two, under 1.6 % error), one per receiver
/// so recording takes no lock; merged at the end.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBuckets = 64;
    private const int MaxExponent = 44; // 2^44 ticks is hours at any Stopwatch frequency
    private readonly long[] _counts = new long[(MaxExponent + 1) * SubBuckets];

    public long Count { get; private set; }

    public long Max { get; private set; }

    public void Record(long ticks)
    {
        if (ticks < 0)
        {
            ticks = 0;
        }

        _counts[IndexOf(ticks)]++;
        Count++;
        if (ticks > Max)
        {
            Max = ticks;
        }
    }

    public void Clear()
    {
        Array.Clear(_counts);
        Count = 0;
        Max = 0;
    }

    public void Add(LatencyHistogram other)
    {
        for (int i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>The value at <paramref name="percentile"/> (0–100), in milliseconds.</summary>
    public double PercentileMs(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(Count * percentile / 100.0));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return ToMs(Math.Min(ValueOf(i), Max));
            }
        }

        return ToMs(Max);
    }

    public double MaxMs => ToMs(Max);

    public static double ToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static int IndexOf(long value)
    {
        if (value < 2 * SubBuckets)
        {
            return (int)value;
        }

        int msb = 63 - BitOperations.LeadingZeroCount((ulong)value);
        int shift = Math.Min(msb - 6, MaxExponent - 1);
        long sub = Math.Min(value >> shift, 2 * SubBuckets - 1);
        return ((shift + 1) * SubBuckets) + (int)(sub - SubBuckets);
    }

    /// <summary>The middle of bucket <paramref name="index"/>.</summary>
    private static long ValueOf(int index)
    {
        if (index < 2 * SubBuckets)
        {
            return index;
        }

        int shift = (index / SubBuckets) - 1;
        long sub = (index % SubBuckets) + SubBuckets;
        return (sub << shift) + ((1L << shift) / 2);
    }
}

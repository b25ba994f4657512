using System.Buffers.Text;

namespace TcpChat.Bench.Measure;

/// <summary>
/// The chat text of a bench message: <c>x&lt;sender&gt; &lt;seq&gt; &lt;timestamp&gt;</c> (about 22 bytes). The server
/// prefixes it with <c>#room nick: </c>; the raw relay passes it as is. Parsing runs from the end of the line, so
/// both shapes parse without knowing the prefix, and without allocating.
/// </summary>
internal static class MessageFormat
{
    /// <summary>Writes one message and its LF into <paramref name="destination"/>; returns the bytes written, 0 if it did not fit.</summary>
    public static int Write(Span<byte> destination, int sender, long sequence, long timestamp)
    {
        if (destination.Length < 64)
        {
            return 0;
        }

        destination[0] = (byte)'x';
        int n = 1;
        Utf8Formatter.TryFormat(sender, destination[n..], out int w);
        n += w;
        destination[n++] = (byte)' ';
        Utf8Formatter.TryFormat(sequence, destination[n..], out w);
        n += w;
        destination[n++] = (byte)' ';
        Utf8Formatter.TryFormat(timestamp, destination[n..], out w);
        n += w;
        destination[n++] = (byte)'\n';
        return n;
    }

    /// <summary>Parses a received line (without its LF); false for anything that is not a bench message (server notices, joins).</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out int sender, out long sequence, out long timestamp)
    {
        sender = 0;
        sequence = 0;
        int end = line.Length;
        if (!TryReadNumberBackwards(line, ref end, out timestamp) || end == 0 || line[--end] != (byte)' '
            || !TryReadNumberBackwards(line, ref end, out sequence) || end == 0 || line[--end] != (byte)' '
            || !TryReadNumberBackwards(line, ref end, out long id) || end == 0 || line[--end] != (byte)'x'
            || (end > 0 && line[end - 1] != (byte)' ') || id > int.MaxValue)
        {
            return false;
        }

        sender = (int)id;
        return true;
    }

    private static bool TryReadNumberBackwards(ReadOnlySpan<byte> line, ref int end, out long value)
    {
        value = 0;
        int start = end;
        while (start > 0 && (uint)(line[start - 1] - '0') <= 9)
        {
            start--;
        }

        if (start == end || end - start > 18)
        {
            return false;
        }

        long multiplier = 1;
        for (int i = end - 1; i >= start; i--)
        {
            value += (line[i] - '0') * multiplier;
            multiplier *= 10;
        }

        end = start;
        return true;
    }
}

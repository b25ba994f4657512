namespace TcpChat.Server.Networking;

/// <summary>
/// Removes what telnet adds to a line: IAC command sequences (option negotiation and subnegotiation), lone CRs and
/// the NUL of CR NUL. <c>IAC IAC</c> stands for a literal 0xFF byte, which later decodes as invalid UTF-8.
/// </summary>
internal static class TelnetFilter
{
    private const byte Iac = 0xFF;
    private const byte Se = 240;
    private const byte Sb = 250;
    private const byte Will = 251;
    private const byte Dont = 254;

    /// <summary>True when the line needs <see cref="Filter"/> at all (the common case is no).</summary>
    public static bool NeedsFiltering(ReadOnlySpan<byte> line) => line.IndexOfAny(Iac, (byte)'\r') >= 0;

    /// <summary>Copies <paramref name="line"/> into <paramref name="destination"/> without telnet bytes; returns the length written.</summary>
    public static int Filter(ReadOnlySpan<byte> line, Span<byte> destination)
    {
        int written = 0;
        int i = 0;
        while (i < line.Length)
        {
            byte b = line[i];
            if (b == (byte)'\r')
            {
                // A lone CR, or telnet's CR NUL: both are dropped.
                i += i + 1 < line.Length && line[i + 1] == 0 ? 2 : 1;
                continue;
            }

            if (b != Iac)
            {
                destination[written++] = b;
                i++;
                continue;
            }

            if (i + 1 >= line.Length)
            {
                break; // a dangling IAC at the end of the line
            }

            byte command = line[i + 1];
            if (command == Iac)
            {
                destination[written++] = Iac;
                i += 2;
            }
            else if (command is >= Will and <= Dont)
            {
                i += 3; // IAC WILL/WONT/DO/DONT option
            }
            else if (command == Sb)
            {
                i = SkipSubnegotiation(line, i + 2);
            }
            else
            {
                i += 2; // IAC NOP, IAC AYT, IAC IP, ...
            }
        }

        return written;
    }

    // Subnegotiation runs to IAC SE (or the end of the line if it is cut off).
    private static int SkipSubnegotiation(ReadOnlySpan<byte> line, int start)
    {
        for (int i = start; i + 1 < line.Length; i++)
        {
            if (line[i] == Iac && line[i + 1] == Se)
            {
                return i + 2;
            }
        }

        return line.Length;
    }
}

using System.Buffers;
using System.Text;

namespace TcpChat.Server.Protocol;

/// <summary>
/// Turns the bytes of a line into text another user may safely see: invalid UTF-8 becomes U+FFFD, and C0/C1
/// control characters (except TAB), DEL, ANSI escape sequences, line and paragraph separators (U+2028, U+2029) and
/// bidirectional controls are removed, so no one can drive someone else's terminal, break a line where a program does
/// not expect it, or make text read in another order than it was written.
/// </summary>
internal static class TextSanitizer
{
    private const char Esc = '\u001B';
    private const char Bel = '\u0007';

    // Bytes that send a line down the slow path: controls except TAB, DEL, and every non-ASCII byte.
    private static readonly SearchValues<byte> SpecialBytes = SearchValues.Create(BuildSpecialBytes());

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IndexOfAny(SpecialBytes) < 0)
        {
            return Encoding.ASCII.GetString(bytes); // plain printable ASCII: nothing to clean
        }

        return Clean(Utf8.GetString(bytes));
    }

    /// <summary>Removes control characters and escape sequences from text that is already decoded.</summary>
    private static string Clean(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == Esc)
            {
                i = SkipEscape(text, i);
                continue;
            }

            if (c != '\t' && (char.IsControl(c) || c == '\u007F' || IsLayoutControl(c)))
            {
                continue;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    // U+2028/U+2029 break lines in many clients and logs; the bidi embeddings, overrides, isolates and marks
    // (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C) reorder what follows them on screen.
    private static bool IsLayoutControl(char c) =>
        c is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F' or '\u061C';

    /// <summary>Returns the index of the last character of the escape sequence starting at <paramref name="start"/>.</summary>
    private static int SkipEscape(string text, int start)
    {
        int i = start + 1;
        if (i >= text.Length)
        {
            return start;
        }

        char kind = text[i];
        switch (kind)
        {
            case '[':
                // CSI: parameters and intermediates (0x20-0x3F), then one final byte (0x40-0x7E).
                for (i++; i < text.Length; i++)
                {
                    if (text[i] is >= '\u0040' and <= '\u007E')
                    {
                        return i;
                    }

                    if (text[i] is < '\u0020' or > '\u003F')
                    {
                        return i - 1;
                    }
                }

                return text.Length - 1;
            case ']' or 'P' or 'X' or '^' or '_':
                // OSC, DCS, SOS, PM, APC: a string ended by BEL or ESC \ (ST).
                for (i++; i < text.Length; i++)
                {
                    if (text[i] == Bel)
                    {
                        return i;
                    }

                    if (text[i] == Esc && i + 1 < text.Length && text[i + 1] == '\\')
                    {
                        return i + 1;
                    }
                }

                return text.Length - 1;
            default:
                // nF sequences: intermediates (0x20-0x2F), then a final byte; Fp/Fe/Fs: one byte. A final byte is
                // ASCII (0x30-0x7E): anything else after ESC is ordinary text and stays whole (e.g. a surrogate pair).
                while (i < text.Length && text[i] is >= '\u0020' and <= '\u002F')
                {
                    i++;
                }

                return i < text.Length && text[i] is >= '\u0030' and <= '\u007E' ? i : i - 1;
        }
    }

    private static byte[] BuildSpecialBytes()
    {
        var list = new List<byte>();
        for (int b = 0; b < 256; b++)
        {
            if ((b < 0x20 && b != '\t') || b >= 0x7F)
            {
                list.Add((byte)b);
            }
        }

        return [.. list];
    }
}

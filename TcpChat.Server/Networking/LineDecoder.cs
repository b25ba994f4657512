using System.Buffers;
using TcpChat.Server.Protocol;

namespace TcpChat.Server.Networking;

/// <summary>
/// One framed line's bytes to the text commands see: UTF-8 decoding and sanitizing, which also drops telnet's lone
/// CR and CR NUL (controls). Telnet commands were already taken out of the stream (<see cref="TelnetStream"/>).
/// </summary>
internal static class LineDecoder
{
    public static string Decode(in ReadOnlySequence<byte> line)
    {
        if (line.IsSingleSegment)
        {
            return TextSanitizer.Decode(line.FirstSpan);
        }

        int length = (int)line.Length;
        byte[]? rented = null;
        Span<byte> bytes = length <= 1024 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            line.CopyTo(bytes);
            return TextSanitizer.Decode(bytes[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}

using System.Buffers;
using TcpChat.Server.Protocol;

namespace TcpChat.Server.Networking;

/// <summary>One framed line's bytes to the text commands see: telnet filter (in place), UTF-8 decoding, sanitizing.</summary>
internal static class LineDecoder
{
    public static string Decode(in ReadOnlySequence<byte> line)
    {
        int length = (int)line.Length;
        byte[]? rented = null;
        Span<byte> bytes = length <= 1024 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            line.CopyTo(bytes);
            bytes = bytes[..length];
            if (TelnetFilter.NeedsFiltering(bytes))
            {
                bytes = bytes[..TelnetFilter.Filter(bytes, bytes)];
            }

            return TextSanitizer.Decode(bytes);
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

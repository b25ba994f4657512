using System.Text;

namespace TcpChat.Server.Protocol;

/// <summary>Encodes a server line once to UTF-8 with the configured line ending (LF, or CRLF).</summary>
internal sealed class LineEncoder(bool crlf)
{
    private readonly string _newline = crlf ? "\r\n" : "\n";

    public byte[] Encode(string line)
    {
        int length = Encoding.UTF8.GetByteCount(line);
        var bytes = new byte[length + _newline.Length];
        Encoding.UTF8.GetBytes(line, bytes);
        for (int i = 0; i < _newline.Length; i++)
        {
            bytes[length + i] = (byte)_newline[i];
        }

        return bytes;
    }
}

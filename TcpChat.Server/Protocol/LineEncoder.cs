using System.Text;
using Microsoft.Extensions.Options;
using TcpChat.Server.Hosting;

namespace TcpChat.Server.Protocol;

/// <summary>Formats server lines and encodes them once to UTF-8 with the configured line ending.</summary>
internal sealed class LineEncoder(IOptions<ChatOptions> options)
{
    private readonly string _newline = string.Equals(options.Value.Newline, "crlf", StringComparison.OrdinalIgnoreCase) ? "\r\n" : "\n";

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

    public byte[] Ok(string text) => Encode("OK " + text);

    public byte[] Error(string code, string text) => Encode("ERR " + code + " " + text);

    public byte[] Notice(string text) => Encode("* " + text);
}

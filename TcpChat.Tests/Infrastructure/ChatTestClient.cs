using System.Net;
using System.Net.Sockets;
using System.Text;
using NUnit.Framework;

namespace TcpChat.Tests.Infrastructure;

/// <summary>A real TCP client speaking the line protocol; every read has a deadline.</summary>
public sealed class ChatTestClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly Stream _stream;
    private readonly StreamReader _reader;

    private ChatTestClient(TcpClient tcp, Stream stream)
    {
        _tcp = tcp;
        _stream = stream;
        _reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
    }

    public string? Nick { get; set; }

    public Stream Stream => _stream;

    public Socket Socket => _tcp.Client;

    public static async Task<ChatTestClient> ConnectAsync(IPEndPoint endPoint, bool readGreeting = true, Func<Stream, Task<Stream>>? wrap = null)
    {
        var tcp = new TcpClient(endPoint.AddressFamily) { NoDelay = true };
        await tcp.ConnectAsync(endPoint).WaitAsync(TestTimeouts.Default);
        Stream stream = tcp.GetStream();
        if (wrap is not null)
        {
            stream = await wrap(stream);
        }

        var client = new ChatTestClient(tcp, stream);
        if (readGreeting)
        {
            Assert.That(await client.ReadLineAsync(), Does.StartWith("* tcpchat"));
        }

        return client;
    }

    public Task SendAsync(string line) => SendRawAsync(Encoding.UTF8.GetBytes(line + "\n"));

    public async Task SendRawAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes).AsTask().WaitAsync(TestTimeouts.Default);
        await _stream.FlushAsync();
    }

    /// <summary>The next line, or null at end of stream.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        try
        {
            return await _reader.ReadLineAsync().WaitAsync(timeout ?? TestTimeouts.Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no line from the server within {(timeout ?? TestTimeouts.Default).TotalSeconds} s");
        }
        catch (IOException)
        {
            return null; // reset by the server
        }
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>; returns it. Fails on end of stream.</summary>
    public async Task<string> ExpectAsync(string prefix)
    {
        var seen = new List<string>();
        while (true)
        {
            string? line = await ReadLineAsync();
            if (line is null)
            {
                Assert.Fail($"connection closed while waiting for '{prefix}'; got: {string.Join(" | ", seen)}");
            }

            if (line!.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }

            seen.Add(line);
        }
    }

    /// <summary>The next line must start with <paramref name="prefix"/>.</summary>
    public async Task<string> ExpectNextAsync(string prefix)
    {
        string? line = await ReadLineAsync();
        Assert.That(line, Does.StartWith(prefix));
        return line!;
    }

    /// <summary>Reads a listing (rows, then its OK line); returns the rows and the OK line.</summary>
    public async Task<(List<string> Rows, string Ok)> ReadListingAsync(string okPrefix)
    {
        var rows = new List<string>();
        while (true)
        {
            string? line = await ReadLineAsync();
            Assert.That(line, Is.Not.Null, "closed during a listing");
            if (line!.StartsWith(okPrefix, StringComparison.Ordinal))
            {
                return (rows, line);
            }

            rows.Add(line);
        }
    }

    /// <summary>Reads until the server closes; returns what it sent meanwhile.</summary>
    public async Task<List<string>> ReadUntilClosedAsync()
    {
        var lines = new List<string>();
        while (await ReadLineAsync() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}

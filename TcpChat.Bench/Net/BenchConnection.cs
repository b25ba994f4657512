using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TcpChat.Bench.Net;

/// <summary>
/// One client socket with its own receive buffer. Setup reads lines as strings (<see cref="ExpectAsync"/>); the
/// measured phase runs <see cref="ReceiveLoopAsync"/>, which hands out spans and allocates nothing per line.
/// </summary>
internal sealed class BenchConnection : IDisposable
{
    // Linux IP_BIND_ADDRESS_NO_PORT: binding a source address does not reserve a port until connect, so
    // one address can reach the whole ephemeral range for every server port.
    private const int IpBindAddressNoPort = 24;

    private readonly Socket _socket;
    private byte[] _buffer;
    private int _start;
    private int _end;

    private BenchConnection(Socket socket, int bufferSize)
    {
        _socket = socket;
        _buffer = new byte[bufferSize];
    }

    public Socket Socket => _socket;

    public static async Task<BenchConnection> ConnectAsync(IPEndPoint server, IPAddress? source, int bufferSize, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (source is not null)
            {
                if (OperatingSystem.IsLinux())
                {
                    socket.SetRawSocketOption((int)SocketOptionLevel.IP, IpBindAddressNoPort, BitConverter.GetBytes(1));
                }

                socket.Bind(new IPEndPoint(source, 0));
            }

            await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
            return new BenchConnection(socket, bufferSize);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            int sent = await _socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    public ValueTask SendLineAsync(string line, CancellationToken cancellationToken) =>
        SendAsync(Encoding.UTF8.GetBytes(line + "\n"), cancellationToken);

    /// <summary>Blocking send, for the paced sender thread (small writes that the kernel takes at once).</summary>
    public void Send(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            data = data[_socket.Send(data)..];
        }
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>, skipping room chatter; an <c>ERR</c> line or a close fails.</summary>
    public async Task<string> ExpectAsync(string prefix, CancellationToken cancellationToken)
    {
        while (true)
        {
            string line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }

            if (line.StartsWith("ERR ", StringComparison.Ordinal))
            {
                throw new BenchException($"expected '{prefix}', got '{line}'");
            }
        }
    }

    public async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                string line = Encoding.UTF8.GetString(TrimCr(_buffer.AsSpan(_start, newline)));
                _start += newline + 1;
                return line;
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Hands every line to <paramref name="sink"/> until the server closes or <paramref name="cancellationToken"/> fires.</summary>
    public async Task ReceiveLoopAsync(ILineSink sink, CancellationToken cancellationToken)
    {
        try
        {
            long now = Stopwatch.GetTimestamp();
            while (true)
            {
                var pending = _buffer.AsSpan(_start, _end - _start);
                int newline;
                while ((newline = pending.IndexOf((byte)'\n')) >= 0)
                {
                    sink.OnLine(TrimCr(pending[..newline]), now);
                    pending = pending[(newline + 1)..];
                }

                _start = _end - pending.Length;
                sink.OnBatchEnd();
                await FillAsync(cancellationToken).ConfigureAwait(false);
                now = Stopwatch.GetTimestamp();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or BenchException or SocketException or ObjectDisposedException)
        {
            // Cancelled at the end of the run, or the peer closed: the sink's counts tell whether anything was missed.
        }
    }

    /// <summary>Closes with a reset (linger 0): no TIME_WAIT left behind by login storms.</summary>
    public void Abort()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // Already gone.
        }

        _socket.Dispose();
    }

    public void Dispose() => _socket.Dispose();

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            // Keep only the partial line, at the front.
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        int read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw new BenchException("the server closed the connection");
        }

        _end += read;
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) =>
        line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;
}

using System.Buffers;

namespace TcpChat.Server.Networking;

/// <summary>
/// The client's bytes as the line framer reads them: telnet commands taken out by <see cref="TelnetFilter"/> as they
/// arrive (not when a line ends: telnet sends them without one and may wait for the answer), answers handed to
/// <paramref name="answer"/>. Read-only; one reader at a time, as the pipe reads it.
/// </summary>
internal sealed class TelnetStream(Stream inner, byte[] areYouThere, Action<byte[]> answer) : Stream
{
    private ArrayBufferWriter<byte>? _answers; // only for a client that sends telnet commands
    private TelnetState _state;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        // The pipe's zero-byte read waits for data with nothing to filter: the inner stream's own ValueTask, so waiting
        // allocates no state machine of ours. The real read that follows usually completes at once.
        buffer.IsEmpty ? inner.ReadAsync(buffer, cancellationToken) : ReadFilteredAsync(buffer, cancellationToken);

    private async ValueTask<int> ReadFilteredAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            int read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return 0; // end of stream, or a zero-byte read's "data is ready"
            }

            int kept = Filter(buffer.Span[..read]);
            if (kept > 0)
            {
                return kept; // a read that was all telnet returns nothing, which would look like the end: read on
            }
        }
    }

    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            int read = inner.Read(buffer);
            if (read == 0)
            {
                return 0;
            }

            int kept = Filter(buffer[..read]);
            if (kept > 0)
            {
                return kept;
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Filter(Span<byte> data)
    {
        if (_state.Phase == TelnetPhase.Data && data.IndexOf(TelnetFilter.Iac) < 0)
        {
            return data.Length;
        }

        _answers ??= new ArrayBufferWriter<byte>(16);
        int kept = TelnetFilter.Filter(data, data, ref _state, _answers, areYouThere);
        if (_answers.WrittenCount > 0)
        {
            answer(_answers.WrittenSpan.ToArray());
            _answers.ResetWrittenCount();
        }

        return kept;
    }
}

using System.Buffers;
using TcpChat.Server.Protocol;

namespace TcpChat.Server.Networking;

internal sealed partial class ClientConnection
{
    private const int WriteBufferSize = 32 * 1024;

    /// <summary>
    /// Waits for queued lines, copies everything queued into one pooled buffer and writes it with one call. The buffer
    /// goes back to the pool after each batch, so an idle connection holds none.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        var reader = _outbox.Reader;
        byte[]? carry = null; // a line that did not fit the previous batch
        try
        {
            while (carry is not null || await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                if (IsSlowConsumer)
                {
                    while (reader.TryRead(out _))
                    {
                        // The client is being dropped: what it did not read is discarded.
                    }

                    break;
                }

                byte[] buffer = ArrayPool<byte>.Shared.Rent(WriteBufferSize);
                try
                {
                    int length = 0;
                    while (carry is not null || reader.TryRead(out carry))
                    {
                        if (carry.Length > buffer.Length - length)
                        {
                            if (length == 0)
                            {
                                // Longer than a whole buffer: write it on its own.
                                await _stream.WriteAsync(carry).ConfigureAwait(false);
                                Interlocked.Add(ref _queuedBytes, -carry.Length);
                                carry = null;
                            }

                            break;
                        }

                        carry.CopyTo(buffer, length);
                        length += carry.Length;
                        carry = null;
                    }

                    if (length > 0)
                    {
                        await _stream.WriteAsync(buffer.AsMemory(0, length)).ConfigureAwait(false);
                        Interlocked.Add(ref _queuedBytes, -length);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }

            if (IsSlowConsumer)
            {
                // Best effort: a client that stopped reading will rarely see it.
                await _stream.WriteAsync(_context.Encoder.Error(ErrorCodes.SlowConsumer, "you stopped reading and your queue filled up; closing"))
                    .ConfigureAwait(false);
            }

            await _stream.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsClientGone(ex))
        {
            NetworkingLog.ClientGone(_context.Logger, Id, ex);
        }
    }
}

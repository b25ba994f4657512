using System.Buffers;
using System.IO.Pipelines;
using TcpChat.Server.Protocol;

namespace TcpChat.Server.Networking;

internal sealed partial class ClientConnection
{
    // Zero-byte reads: an idle connection holds no receive buffer until data arrives.
    private static readonly StreamPipeReaderOptions ReaderOptions = new(
        bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true);

    /// <param name="cancellationToken">For the commands' calls (logins); reading itself ends through <see cref="CancelReading"/>.</param>
    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(_stream, ReaderOptions);
        Volatile.Write(ref _reader, reader);
        var framer = new LineFramer(_context.Options.MaxLineBytes);
        try
        {
            while (true)
            {
                if (Volatile.Read(ref _closeRequested))
                {
                    return;
                }

                // No token: a cancellable one costs a registration per connection; CancelReading uses CancelPendingRead.
                ReadResult result = await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                bool keepReading = true;
                bool batching = DrainBatch.Begin(this);
                try
                {
                    // Once closing (shutdown, slow consumer, expired session), the rest of what was read is not acted on.
                    while (keepReading && !Volatile.Read(ref _closeRequested))
                    {
                        FrameResult frame = framer.Next(ref buffer, out ReadOnlySequence<byte> line);
                        if (frame == FrameResult.NeedMore)
                        {
                            break;
                        }

                        var handled = frame == FrameResult.TooLong
                            ? ValueTask.FromResult(OnLineTooLong())
                            : OnLineAsync(DecodeLine(line), cancellationToken);
                        if (!handled.IsCompleted && batching)
                        {
                            // A login call will resume elsewhere: start what this batch collected now, not later.
                            DrainBatch.End();
                            batching = false;
                        }

                        keepReading = await handled.ConfigureAwait(false);
                    }
                }
                finally
                {
                    if (batching)
                    {
                        DrainBatch.End();
                    }
                }

                if (keepReading && result.IsCompleted && !buffer.IsEmpty && !framer.IsDiscarding)
                {
                    // The client closed mid-line: what it sent is still a line (nc at end of input does this), within
                    // the same limit as any line (the framer holds one byte more, for a CR that never came).
                    var tail = buffer;
                    if (tail.Length > 0 && tail.Slice(tail.Length - 1).FirstSpan[0] == (byte)'\r')
                    {
                        tail = tail.Slice(0, tail.Length - 1);
                    }

                    _ = tail.Length > framer.MaxLineBytes
                        ? OnLineTooLong()
                        : await OnLineAsync(DecodeLine(tail), cancellationToken).ConfigureAwait(false);
                    buffer = buffer.Slice(buffer.End);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (!keepReading || result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private bool OnLineTooLong()
    {
        Touch();
        Send(_context.Encoder.Error(ErrorCodes.LineTooLong, $"lines are limited to {_context.Options.MaxLineBytes} bytes; the line was discarded"));
        return true;
    }

    private ValueTask<bool> OnLineAsync(string line, CancellationToken cancellationToken)
    {
        Touch();
        if (string.IsNullOrWhiteSpace(line))
        {
            return ValueTask.FromResult(true); // an empty line (Enter in telnet) asks for nothing
        }

        if (!TryTakeLineBudget())
        {
            Send(_context.Encoder.Error(ErrorCodes.RateLimited, "too many lines; slow down (this line was not delivered)"));
            return ValueTask.FromResult(true);
        }

        return _context.Commands.HandleAsync(this, line, cancellationToken);
    }

    /// <summary>Telnet filter, then UTF-8 decoding and sanitizing.</summary>
    private static string DecodeLine(in ReadOnlySequence<byte> line)
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

using System.Buffers;
using System.IO.Pipelines;

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

                        var handled = OnFrameAsync(frame, line, cancellationToken);
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

                // The client closed mid-line: what it sent is still a line (nc at end of input does this).
                if (keepReading && result.IsCompleted
                    && framer.Finish(ref buffer, out ReadOnlySequence<byte> last) is var end && end != FrameResult.NeedMore)
                {
                    _ = await OnFrameAsync(end, last, cancellationToken).ConfigureAwait(false);
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

    private ValueTask<bool> OnFrameAsync(FrameResult frame, in ReadOnlySequence<byte> line, CancellationToken cancellationToken)
    {
        Touch();
        if (frame == FrameResult.TooLong)
        {
            Send(_context.LineTooLong);
            return ValueTask.FromResult(true);
        }

        return _context.Commands.HandleAsync(Session, LineDecoder.Decode(line), cancellationToken);
    }
}

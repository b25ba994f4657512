using System.Buffers;

namespace TcpChat.Server.Networking;

/// <summary>
/// The outbox: lines queued by anyone (<see cref="Send"/>), written by one drain at a time. A drain is scheduled on the
/// thread pool only when the outbox goes from empty to non-empty, swaps the queue out under the lock, and writes
/// everything it took in as few socket writes as fit in a pooled 32 KiB buffer. An idle connection holds no buffer
/// and no pending write operation.
/// </summary>
internal sealed partial class ClientConnection : IThreadPoolWorkItem
{
    private const int WriteBufferSize = 32 * 1024;

    private readonly Lock _outboxGate = new();
    private Queue<byte[]> _outbox = new();
    private Queue<byte[]> _draining = new(); // only the running drain touches it
    private bool _drainScheduled;
    private bool _outboxClosed;
    private bool _slowNoticeSent;
    private TaskCompletionSource? _drained;

    private bool _deferredWaiting;
    private bool _outboxHeld;

    public void Send(byte[] line) => Enqueue(line, deferred: false);

    /// <summary>
    /// Queues a line that may wait a moment (a presence event): it goes out with the next write, or within
    /// <see cref="DeferredFlush.Delay"/>, so a burst of joins and quits costs one write per member, not one each.
    /// Order is kept: it is the same queue.
    /// </summary>
    public void SendDeferred(byte[] line) => Enqueue(line, deferred: true);

    /// <summary>Called by <see cref="DeferredFlush"/>: start writing what waited, unless a write is already on its way.</summary>
    public void FlushDeferred()
    {
        bool schedule;
        lock (_outboxGate)
        {
            _deferredWaiting = false;
            schedule = TryScheduleDrainLocked();
        }

        if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>
    /// Queues the last lines this client will get and closes the outbox in one step, so nothing can come after them;
    /// the connection closes once they are written. A second close (e.g. shutdown during a login timeout) adds nothing.
    /// </summary>
    public void CloseWith(params byte[][] finalLines)
    {
        bool schedule = false;
        lock (_outboxGate)
        {
            if (!_outboxClosed)
            {
                foreach (var line in finalLines)
                {
                    _outbox.Enqueue(line);
                    Interlocked.Add(ref _queuedBytes, line.Length);
                }

                _outboxClosed = true;
                schedule = TryScheduleDrainLocked();
            }
        }

        if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        CancelReading();
    }

    /// <summary>Lets the outbox be written: called once a TLS handshake is done (until then nothing is written).</summary>
    private void ReleaseOutbox()
    {
        bool schedule;
        lock (_outboxGate)
        {
            _outboxHeld = false;
            schedule = TryScheduleDrainLocked();
        }

        if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    // Under the lock: claims the drain if there is something to write and nobody is writing it.
    private bool TryScheduleDrainLocked()
    {
        if (_drainScheduled || _outboxHeld || (_outbox.Count == 0 && _slowConsumer == 0))
        {
            return false;
        }

        _drainScheduled = true;
        return true;
    }

    private void Enqueue(byte[] line, bool deferred)
    {
        bool schedule = false;
        bool slow = false;
        bool wait = false;
        lock (_outboxGate)
        {
            if (_outboxClosed)
            {
                return; // closing: the line is dropped with the connection
            }

            long queued = _queuedBytes + line.Length;
            if (queued > _context.Options.OutboxHardBytes)
            {
                slow = true;
                MarkSlowConsumerLocked();
            }
            else
            {
                _outbox.Enqueue(line);
                Interlocked.Add(ref _queuedBytes, line.Length); // the drain subtracts outside the lock
                if (queued > _context.Options.OutboxBytes && Volatile.Read(ref _behindSince) == 0)
                {
                    Volatile.Write(ref _behindSince, _context.Time.GetTimestamp());
                }
            }

            if (deferred && !slow && !_drainScheduled && !_outboxHeld)
            {
                wait = !_deferredWaiting;
                _deferredWaiting = true;
            }
            else
            {
                // False when a write is on its way (it takes this line with it) or a TLS handshake is running.
                schedule = TryScheduleDrainLocked();
            }
        }

        if (schedule && !DrainBatch.TryAdd(this))
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
        }
        else if (wait)
        {
            _context.Deferred.Add(this);
        }

        if (slow)
        {
            NetworkingLog.SlowConsumer(_context.Logger, Id, Session.Nick);
            CancelReading();
        }
    }

    /// <summary>
    /// Timestamp since which the unsent output has stayed above <c>Chat:OutboxBytes</c>; 0 while it is below. Read by
    /// the server's sweep, which closes the connection once this is older than <c>Chat:SlowConsumerGrace</c>.
    /// </summary>
    public long BehindSince => Volatile.Read(ref _behindSince);

    /// <summary>Closes a client that stayed behind past the grace: what it has not read is dropped, it gets one ERR line.</summary>
    public void CloseAsSlowConsumer()
    {
        bool schedule;
        lock (_outboxGate)
        {
            if (_outboxClosed)
            {
                return;
            }

            MarkSlowConsumerLocked();
            schedule = TryScheduleDrainLocked();
        }

        if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        NetworkingLog.SlowConsumer(_context.Logger, Id, Session.Nick);
        CancelReading();
    }

    // Under the lock: what the client has not read is dropped, it gets one ERR line (if it ever reads), and it is closed.
    private void MarkSlowConsumerLocked()
    {
        _slowConsumer = 1;
        _outboxClosed = true;
        _outbox.Clear();
        Interlocked.Exchange(ref _queuedBytes, 0);
        Volatile.Write(ref _behindSince, 0);
    }

    /// <summary>No more lines after this; the task ends when what is queued has been written (or the writes failed).</summary>
    private Task CompleteOutbox()
    {
        lock (_outboxGate)
        {
            _outboxClosed = true;

            // Lines still waiting without a drain are only deferred presence events (every other line schedules
            // one): the client has gone, so they are dropped rather than written to a closed socket (measured:
            // writing them cost a third of the TOKEN login rate, as most such sockets are already reset).
            if (!_drainScheduled)
            {
                _outbox.Clear();
                return Task.CompletedTask;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    void IThreadPoolWorkItem.Execute() => _ = DrainAsync();

    private async Task DrainAsync()
    {
        try
        {
            while (true)
            {
                Queue<byte[]> batch;
                bool notifySlow = false;
                lock (_outboxGate)
                {
                    if (_slowConsumer != 0 && !_slowNoticeSent)
                    {
                        _slowNoticeSent = notifySlow = true;
                        _outbox.Clear();
                    }

                    if (_outbox.Count == 0 && !notifySlow)
                    {
                        FinishDrain();
                        return;
                    }

                    (batch, _outbox, _draining) = (_outbox, _draining, _outbox);
                }

                if (notifySlow)
                {
                    // Best effort: a client that stopped reading will rarely see it.
                    await _stream.WriteAsync(_context.Replies.SlowConsumer)
                        .ConfigureAwait(false);
                    continue;
                }

                await WriteBatchAsync(batch).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            if (Disconnects.IsClientGone(ex))
            {
                NetworkingLog.ClientGone(_context.Logger, Id, ex);
            }
            else
            {
                NetworkingLog.ConnectionFaulted(_context.Logger, Id, ex);
            }

            lock (_outboxGate)
            {
                _outboxClosed = true;
                _outbox.Clear();
                FinishDrain();
            }

            CancelReading();
        }
    }

    // Under the lock: the drain ends; whoever waits for the outbox to empty is told.
    private void FinishDrain()
    {
        _drainScheduled = false;
        if (_outboxClosed)
        {
            _drained?.TrySetResult();
        }
    }

    private async Task WriteBatchAsync(Queue<byte[]> batch)
    {
        bool large = batch.Count > 256;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(WriteBufferSize);
        try
        {
            int length = 0;
            while (batch.TryDequeue(out var line))
            {
                if (line.Length > buffer.Length - length)
                {
                    await FlushAsync(buffer, length).ConfigureAwait(false);
                    length = 0;
                    if (line.Length > buffer.Length)
                    {
                        await FlushAsync(line, line.Length).ConfigureAwait(false); // longer than a whole buffer: on its own
                        continue;
                    }
                }

                line.CopyTo(buffer, length);
                length += line.Length;
            }

            await FlushAsync(buffer, length).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (large)
        {
            batch.TrimExcess(); // a burst's big array is not kept by an idle connection
        }
    }

    private async ValueTask FlushAsync(byte[] bytes, int length)
    {
        if (length == 0)
        {
            return;
        }

        await _stream.WriteAsync(bytes.AsMemory(0, length)).ConfigureAwait(false);
        if (Interlocked.Add(ref _queuedBytes, -length) <= _context.Options.OutboxBytes)
        {
            Volatile.Write(ref _behindSince, 0); // caught up: the grace starts over next time
        }
    }
}

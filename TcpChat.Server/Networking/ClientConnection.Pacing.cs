using System.IO.Pipelines;

namespace TcpChat.Server.Networking;

/// <summary>
/// The input backlog ("fakelag"): lines that arrive over the session's line rate wait here, in order, and are handled
/// as the rate allows, up to <see cref="Chat.ChatOptions.InputBacklogLines"/> lines and
/// <see cref="Chat.ChatOptions.InputBacklogBytes"/> bytes; a line past that is dropped and counted, and each run of
/// dropped lines is answered with one <c>ERR RATE_LIMITED n</c> when its place in the order comes. Reading goes on
/// meanwhile, so memory is bounded by the backlog. Nothing of this exists while the rate limit is off.
/// </summary>
internal sealed partial class ClientConnection
{
    private Queue<BacklogEntry>? _backlog;
    private BacklogEntry? _backlogTail;
    private int _backlogLines;
    private int _backlogBytes;

    private bool HasBacklog => _backlog is { Count: > 0 };

    /// <summary>A line to handle (<see cref="Text"/>), or a run of refused lines to report (<see cref="Refused"/>).</summary>
    private sealed class BacklogEntry(string? text, int bytes)
    {
        public string? Text { get; } = text;

        public int Bytes { get; } = bytes;

        public int Refused { get; set; }
    }

    /// <summary>Handles the line now if the rate allows and nothing waits before it; else queues or refuses it.</summary>
    private ValueTask<bool> AdmitAsync(string text, int bytes, CancellationToken cancellationToken)
    {
        if (!Session.HasLineLimit || (!HasBacklog && Session.TryTakeLineBudget()))
        {
            return _context.Commands.HandleAsync(Session, text, cancellationToken);
        }

        _backlog ??= new Queue<BacklogEntry>();
        // One line always fits an empty backlog, even one longer than the byte bound (Chat:MaxLineBytes may exceed it).
        if (_backlogLines < _context.Options.InputBacklogLines
            && (_backlogLines == 0 || _backlogBytes + bytes <= _context.Options.InputBacklogBytes))
        {
            Enqueue(new BacklogEntry(text, bytes));
            _backlogLines++;
            _backlogBytes += bytes;
        }
        else if (_backlogTail is { Text: null } run)
        {
            run.Refused++;
        }
        else
        {
            Enqueue(new BacklogEntry(null, 0) { Refused = 1 });
        }

        return ValueTask.FromResult(true);
    }

    private void Enqueue(BacklogEntry entry)
    {
        _backlog!.Enqueue(entry);
        _backlogTail = entry;
    }

    /// <summary>Handles waiting lines while the rate allows; false when one of them ends the session.</summary>
    private async ValueTask<bool> DrainBacklogAsync(CancellationToken cancellationToken)
    {
        while (_backlog is { Count: > 0 } backlog && !Volatile.Read(ref _closeRequested))
        {
            var entry = backlog.Peek();
            if (entry.Text is null)
            {
                Send(_context.Replies.RateLimited(entry.Refused));
            }
            else if (!Session.TryTakeLineBudget())
            {
                return true;
            }

            backlog.Dequeue();
            if (backlog.Count == 0)
            {
                _backlogTail = null;
            }

            if (entry.Text is not null)
            {
                _backlogLines--;
                _backlogBytes -= entry.Bytes;
                if (!await _context.Commands.HandleAsync(Session, entry.Text, cancellationToken).ConfigureAwait(false))
                {
                    _backlog.Clear();
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The next read; while lines wait, they are handled at the line rate until data arrives.</summary>
    private ValueTask<ReadResult> ReadPacedAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        // Not async itself: the usual read (nothing waiting) is the pipe's own ValueTask, with no state machine of ours
        // to allocate each time it suspends.
        var pending = reader.ReadAsync(CancellationToken.None);
        return !HasBacklog || pending.IsCompleted ? pending : ReadWhileDrainingAsync(pending, cancellationToken);
    }

    private async ValueTask<ReadResult> ReadWhileDrainingAsync(ValueTask<ReadResult> pending, CancellationToken cancellationToken)
    {
        var read = pending.AsTask();
        while (HasBacklog && !read.IsCompleted)
        {
            if (!await DrainBacklogAsync(cancellationToken).ConfigureAwait(false))
            {
                CancelReading(); // the read ends at once, and nothing after the line that closed is acted on
                break;
            }

            if (HasBacklog && !cancellationToken.IsCancellationRequested)
            {
                await Task.WhenAny(read, Task.Delay(Pace, _context.Time, cancellationToken)).ConfigureAwait(false);
            }
        }

        return await read.ConfigureAwait(false);
    }

    /// <summary>At the end of input: what waits is still handled, at the rate (a pasted block whole, then EOF).</summary>
    private async ValueTask FinishBacklogAsync(CancellationToken cancellationToken)
    {
        while (HasBacklog && !Volatile.Read(ref _closeRequested))
        {
            if (!await DrainBacklogAsync(cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            if (HasBacklog)
            {
                try
                {
                    await Task.Delay(Pace, _context.Time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return; // the server is stopping
                }
            }
        }
    }

    // How often waiting lines are tried again: the time one line's budget takes to come back.
    private TimeSpan Pace => TimeSpan.FromSeconds(1.0 / Math.Max(1, _context.Options.MessagesPerSecond));
}

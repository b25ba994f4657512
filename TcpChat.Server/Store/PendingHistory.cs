namespace TcpChat.Server.Store;

/// <summary>
/// History lines accepted but not yet written, per room, for a store that writes behind. Appends never wait: a room's
/// pending lines are trimmed to the history bounds as they arrive, so under a flood a flush writes at most a room's
/// last <see cref="StoreLimits.HistoryLines"/> lines and memory stays bounded. Each line gets an increasing id, so a
/// read can merge pending lines with stored ones without duplicates while a flush is committing.
/// </summary>
internal sealed class PendingHistory(StoreLimits limits)
{
    private readonly Lock _gate = new();
    private Dictionary<string, RoomLines> _pending = new(StringComparer.Ordinal); // room names come normalized
    private Dictionary<string, RoomLines>? _inFlight;
    private long _lastId;

    /// <summary>A pending line and the id it is stored under.</summary>
    public readonly record struct Line(long Id, HistoryLine Value, int Bytes);

    /// <summary>Lines waiting, including a batch being written.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Values.Sum(r => r.Lines.Count) + (_inFlight?.Values.Sum(r => r.Lines.Count) ?? 0);
            }
        }
    }

    /// <summary>Ids continue after the highest one already stored.</summary>
    public void StartAfter(long lastStoredId)
    {
        lock (_gate)
        {
            _lastId = Math.Max(_lastId, lastStoredId);
        }
    }

    public void Append(string room, HistoryLine line)
    {
        if (limits.HistoryLines == 0)
        {
            return;
        }

        int bytes = StoreLimits.SizeOf(line);
        lock (_gate)
        {
            if (!_pending.TryGetValue(room, out var lines))
            {
                lines = new RoomLines();
                _pending[room] = lines;
            }

            lines.Add(new Line(++_lastId, line, bytes), limits);
        }
    }

    /// <summary>Hands every pending line to one flush; the lines stay visible to reads until <see cref="Complete"/>.</summary>
    /// <remarks>The lines are not copied: nothing changes a batch in flight before <see cref="Complete"/>.</remarks>
    public IReadOnlyDictionary<string, IReadOnlyCollection<Line>> TakeBatch()
    {
        lock (_gate)
        {
            _inFlight = _pending;
            _pending = new(StringComparer.Ordinal);
            return _inFlight.ToDictionary(r => r.Key, r => (IReadOnlyCollection<Line>)r.Value.Lines, StringComparer.Ordinal);
        }
    }

    /// <summary>Ends the flush of the taken batch; when it failed, its lines go back in front of the newer ones for the next flush.</summary>
    public void Complete(bool written)
    {
        lock (_gate)
        {
            if (!written && _inFlight is not null)
            {
                foreach (var (room, older) in _inFlight)
                {
                    if (_pending.TryGetValue(room, out var newer))
                    {
                        foreach (var line in newer.Lines)
                        {
                            older.Add(line, limits);
                        }
                    }

                    _pending[room] = older;
                }
            }

            _inFlight = null;
        }
    }

    /// <summary>The room's lines not yet written, oldest first.</summary>
    public List<Line> Snapshot(string room)
    {
        lock (_gate)
        {
            var result = new List<Line>();
            if (_inFlight is not null && _inFlight.TryGetValue(room, out var flushing))
            {
                result.AddRange(flushing.Lines);
            }

            if (_pending.TryGetValue(room, out var waiting))
            {
                result.AddRange(waiting.Lines);
            }

            return result;
        }
    }

    /// <summary>Forgets the pending lines of rooms that were dropped.</summary>
    public void Drop(IEnumerable<string> rooms)
    {
        lock (_gate)
        {
            foreach (string room in rooms)
            {
                _pending.Remove(room);
            }
        }
    }

    /// <summary>
    /// Stored and pending lines of one room as a read shows them: merged by id (a line can be in both while its flush
    /// commits), then the newest that fit the bounds and <paramref name="count"/>, oldest first.
    /// </summary>
    public IReadOnlyList<HistoryLine> Merge(IEnumerable<Line> stored, List<Line> pending, int count)
    {
        var byId = new SortedDictionary<long, Line>();
        foreach (var line in stored.Concat(pending))
        {
            byId[line.Id] = line;
        }

        int max = Math.Min(count, limits.HistoryLines);
        var newestFirst = new List<HistoryLine>();
        long bytes = 0;
        foreach (var line in byId.Values.Reverse())
        {
            bytes += line.Bytes;
            if (newestFirst.Count >= max || bytes > limits.HistoryBytesPerRoom)
            {
                break;
            }

            newestFirst.Add(line.Value);
        }

        newestFirst.Reverse();
        return newestFirst;
    }

    /// <summary>One room's pending lines, trimmed to the bounds oldest first; a ring, so a flood costs O(1) per line.</summary>
    private sealed class RoomLines
    {
        private long _bytes;

        public Queue<Line> Lines { get; } = new();

        public void Add(Line line, StoreLimits limits)
        {
            Lines.Enqueue(line);
            _bytes += line.Bytes;
            while (Lines.Count > limits.HistoryLines || _bytes > limits.HistoryBytesPerRoom)
            {
                _bytes -= Lines.Dequeue().Bytes;
            }
        }
    }
}

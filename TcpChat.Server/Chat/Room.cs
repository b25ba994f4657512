namespace TcpChat.Server.Chat;

/// <summary>
/// A room: its members (a set changed under a lock on join/leave, plus an immutable snapshot that a broadcast reads
/// without one, rebuilt only when a broadcast needs it after a change, so a storm of joins costs no copies), and a
/// ring of recent chat lines.
/// </summary>
internal sealed class Room(string name, int historySize)
{
    private readonly Lock _gate = new();
    private readonly HistoryEntry?[] _history = new HistoryEntry?[historySize];
    private readonly HashSet<ChatSession> _members = [];
    private ChatSession[]? _snapshot = [];
    private int _historyNext;
    private int _historyCount;
    private int _count;

    /// <summary>Canonical name, lower case, with its <c>#</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The members now, as an array that is never changed (a new one replaces it after a join or leave).</summary>
    public ChatSession[] Members => Volatile.Read(ref _snapshot) ?? Snapshot();

    public int Count => Volatile.Read(ref _count);

    /// <summary>Set once the registry has dropped this (empty) room; a join that races it retries on a fresh room.</summary>
    internal bool IsClosed { get; private set; }

    /// <summary>Adds a member; false if this room was closed meanwhile.</summary>
    internal bool TryAdd(ChatSession member)
    {
        lock (_gate)
        {
            if (IsClosed)
            {
                return false;
            }

            if (_members.Add(member))
            {
                Volatile.Write(ref _snapshot, null);
                Volatile.Write(ref _count, _members.Count);
            }

            return true;
        }
    }

    /// <summary>Removes a member; returns true if the room is now empty and closed.</summary>
    internal bool Remove(ChatSession member)
    {
        lock (_gate)
        {
            if (_members.Remove(member))
            {
                Volatile.Write(ref _snapshot, null);
                Volatile.Write(ref _count, _members.Count);
            }

            if (_members.Count == 0)
            {
                IsClosed = true;
            }

            return IsClosed;
        }
    }

    private ChatSession[] Snapshot()
    {
        lock (_gate)
        {
            var snapshot = _snapshot ?? [.. _members];
            Volatile.Write(ref _snapshot, snapshot);
            return snapshot;
        }
    }

    /// <summary>
    /// Hands the same encoded bytes to every member but <paramref name="except"/>; <paramref name="deferred"/> lines
    /// (presence events) may wait a moment to share a write.
    /// </summary>
    public void Broadcast(byte[] line, ChatSession? except, bool deferred = false)
    {
        foreach (var member in Members)
        {
            if (ReferenceEquals(member, except))
            {
                continue;
            }

            if (deferred)
            {
                member.Output.SendDeferred(line);
            }
            else
            {
                member.Output.Send(line);
            }
        }
    }

    public void AddHistory(HistoryEntry entry)
    {
        if (_history.Length == 0)
        {
            return;
        }

        lock (_gate)
        {
            _history[_historyNext] = entry;
            _historyNext = (_historyNext + 1) % _history.Length;
            _historyCount = Math.Min(_historyCount + 1, _history.Length);
        }
    }

    /// <summary>The last <paramref name="count"/> chat lines, oldest first.</summary>
    public HistoryEntry[] GetHistory(int count)
    {
        lock (_gate)
        {
            int n = Math.Min(count, _historyCount);
            var result = new HistoryEntry[n];
            int start = (_historyNext - n + _history.Length) % Math.Max(_history.Length, 1);
            for (int i = 0; i < n; i++)
            {
                result[i] = _history[(start + i) % _history.Length]!;
            }

            return result;
        }
    }
}

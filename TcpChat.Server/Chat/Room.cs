namespace TcpChat.Server.Chat;

/// <summary>
/// A room: an immutable member snapshot swapped under a lock on join/leave, so a broadcast reads it without one,
/// and a ring of recent chat lines.
/// </summary>
internal sealed class Room(string name, int historySize)
{
    private readonly Lock _gate = new();
    private readonly HistoryEntry?[] _history = new HistoryEntry?[historySize];
    private int _historyNext;
    private int _historyCount;
    private ChatMember[] _members = [];

    /// <summary>Canonical name, lower case, with its <c>#</c>.</summary>
    public string Name { get; } = name;

    public ChatMember[] Members => Volatile.Read(ref _members);

    /// <summary>Set once the registry has dropped this (empty) room; a join that races it retries on a fresh room.</summary>
    internal bool IsClosed { get; private set; }

    /// <summary>Adds a member; false if this room was closed meanwhile.</summary>
    internal bool TryAdd(ChatMember member)
    {
        lock (_gate)
        {
            if (IsClosed)
            {
                return false;
            }

            if (Array.IndexOf(_members, member) < 0)
            {
                Volatile.Write(ref _members, [.. _members, member]);
            }

            return true;
        }
    }

    /// <summary>Removes a member; returns true if the room is now empty and closed.</summary>
    internal bool Remove(ChatMember member)
    {
        lock (_gate)
        {
            int index = Array.IndexOf(_members, member);
            if (index >= 0)
            {
                var next = new ChatMember[_members.Length - 1];
                Array.Copy(_members, 0, next, 0, index);
                Array.Copy(_members, index + 1, next, index, _members.Length - index - 1);
                Volatile.Write(ref _members, next);
            }

            if (_members.Length == 0)
            {
                IsClosed = true;
            }

            return IsClosed;
        }
    }

    /// <summary>Hands the same encoded bytes to every member but <paramref name="except"/>.</summary>
    public void Broadcast(byte[] line, ChatMember? except)
    {
        foreach (var member in Members)
        {
            if (!ReferenceEquals(member, except))
            {
                member.Send(line);
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

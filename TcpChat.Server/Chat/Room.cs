namespace TcpChat.Server.Chat;

/// <summary>
/// A room: its member sessions (a set changed under a lock on join/leave, plus an immutable snapshot that a broadcast
/// reads without one, rebuilt only when a broadcast needs it after a change, so a storm of joins costs no copies), and
/// how many of each account's sessions are in it, since the room counts and announces accounts, not sessions.
/// Moderation state (owner, operators, topic, bans) and history are the store's.
/// </summary>
internal sealed class Room(string name)
{
    private readonly Lock _gate = new();
    private readonly HashSet<ChatSession> _members = [];
    private readonly Dictionary<Account, int> _accounts = [];
    private ChatSession[]? _snapshot = [];
    private int _count;

    /// <summary>Canonical name, lower case, with its <c>#</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The member sessions now, as an array that is never changed (a new one replaces it after a join or leave).</summary>
    public ChatSession[] Members => Volatile.Read(ref _snapshot) ?? Snapshot();

    /// <summary>Accounts in the room (an account with several sessions here counts once).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Set once the registry has dropped this (empty) room; a join that races it retries on a fresh room.</summary>
    internal bool IsClosed { get; private set; }

    /// <summary>The accounts in the room, each once.</summary>
    public Account[] Accounts()
    {
        lock (_gate)
        {
            return [.. _accounts.Keys];
        }
    }

    /// <summary>Adds a member session; false if this room was closed meanwhile. <paramref name="firstOfAccount"/>: its account was not here before.</summary>
    internal bool TryAdd(ChatSession member, out bool firstOfAccount)
    {
        lock (_gate)
        {
            firstOfAccount = false;
            if (IsClosed)
            {
                return false;
            }

            if (_members.Add(member))
            {
                var account = member.Account!;
                int sessions = _accounts.GetValueOrDefault(account);
                firstOfAccount = sessions == 0;
                _accounts[account] = sessions + 1;
                Volatile.Write(ref _snapshot, null);
                Volatile.Write(ref _count, _accounts.Count);
            }

            return true;
        }
    }

    /// <summary>
    /// Removes a member session; <paramref name="lastOfAccount"/>: it was its account's last session here. Returns true
    /// if the room is now empty and closed.
    /// </summary>
    internal bool Remove(ChatSession member, out bool lastOfAccount)
    {
        lock (_gate)
        {
            lastOfAccount = false;
            if (_members.Remove(member))
            {
                var account = member.Account!;
                int sessions = _accounts.GetValueOrDefault(account) - 1;
                lastOfAccount = sessions <= 0;
                if (lastOfAccount)
                {
                    _accounts.Remove(account);
                }
                else
                {
                    _accounts[account] = sessions;
                }

                Volatile.Write(ref _snapshot, null);
                Volatile.Write(ref _count, _accounts.Count);
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
    /// Hands the same encoded bytes to every member session but <paramref name="except"/>; <paramref name="deferred"/>
    /// lines (presence events) may wait a moment to share a write.
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
}

namespace TcpChat.Server.Store;

internal sealed partial class SqliteChatStore
{
    public Task<RoomCreation> EnsureRoomAsync(string room, string? ownerAccountId, CancellationToken cancellationToken) =>
        RunAsync(write: true, () =>
        {
            long now = Now();
            if (ReadRoom(room) is { } existing)
            {
                MarkActive(room);
                return new RoomCreation(RoomCreationOutcome.Existed, existing);
            }

            if (ownerAccountId is not null && _limits.MaxOwnedRoomsPerAccount > 0 && CountOwned(ownerAccountId) >= _limits.MaxOwnedRoomsPerAccount)
            {
                return new RoomCreation(RoomCreationOutcome.OwnerLimitReached, null);
            }

            Execute("INSERT INTO rooms (name, owner, created_at, active_at) VALUES ($room, $owner, $now, $now)",
                ("$room", room), ("$owner", ownerAccountId), ("$now", now));
            return new RoomCreation(RoomCreationOutcome.Created, new StoredRoom(room, ownerAccountId, At(now), null, []));
        }, cancellationToken);

    public Task<StoredRoom?> GetRoomAsync(string room, CancellationToken cancellationToken) =>
        RunAsync(write: false, () => ReadRoom(room), cancellationToken);

    public Task<bool> TouchRoomAsync(string room, CancellationToken cancellationToken) =>
        RunAsync(write: true, () => MarkActive(room), cancellationToken);

    public Task<int> CountOwnedRoomsAsync(string accountId, CancellationToken cancellationToken) =>
        RunAsync(write: false, () => CountOwned(accountId), cancellationToken);

    public Task<bool> AddOperatorAsync(string room, string accountId, CancellationToken cancellationToken) =>
        RunAsync(write: true, () =>
            Execute("INSERT INTO operators (room, account) SELECT name, $account FROM rooms WHERE name = $room ON CONFLICT DO NOTHING",
                ("$room", room), ("$account", accountId)) == 1 && MarkActive(room), cancellationToken);

    public Task<bool> RemoveOperatorAsync(string room, string accountId, CancellationToken cancellationToken) =>
        RunAsync(write: true, () =>
            Execute("DELETE FROM operators WHERE room = $room AND account = $account", ("$room", room), ("$account", accountId)) == 1 && MarkActive(room),
            cancellationToken);

    public Task<RoomTopic?> SetTopicAsync(string room, string text, string byAccountId, CancellationToken cancellationToken) =>
        RunAsync(write: true, () =>
        {
            long now = Now();
            int changed = Execute("UPDATE rooms SET topic = NULLIF($text, ''), topic_by = $by, topic_at = $now, active_at = $now WHERE name = $room",
                ("$room", room), ("$text", text), ("$by", byAccountId), ("$now", now));
            return changed == 1 ? new RoomTopic(text, byAccountId, At(now)) : null;
        }, cancellationToken);

    public Task<bool> AddBanAsync(string room, string accountId, string byAccountId, string reason, CancellationToken cancellationToken) =>
        RunAsync(write: true, () =>
            Execute("""
                INSERT INTO bans (room, account, by_account, at, reason) SELECT name, $account, $by, $now, $reason FROM rooms WHERE name = $room
                ON CONFLICT (room, account) DO UPDATE SET by_account = excluded.by_account, at = excluded.at, reason = excluded.reason
                """, ("$room", room), ("$account", accountId), ("$by", byAccountId), ("$now", Now()), ("$reason", reason)) == 1 && MarkActive(room),
            cancellationToken);

    public Task<bool> RemoveBanAsync(string room, string accountId, CancellationToken cancellationToken) =>
        RunAsync(write: true, () =>
            Execute("DELETE FROM bans WHERE room = $room AND account = $account", ("$room", room), ("$account", accountId)) == 1 && MarkActive(room),
            cancellationToken);

    public Task<IReadOnlyList<RoomBan>> GetBansAsync(string room, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<RoomBan>>(write: false, () =>
        {
            using var command = Command("""
                SELECT b.account, banned.nick, b.by_account, banner.nick, b.at, b.reason FROM bans b
                LEFT JOIN nicks banned ON banned.account = b.account
                LEFT JOIN nicks banner ON banner.account = b.by_account
                WHERE b.room = $room ORDER BY b.at, b.account
                """, ("$room", room));
            using var reader = command.ExecuteReader();
            var bans = new List<RoomBan>();
            while (reader.Read())
            {
                bans.Add(new RoomBan(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), At(reader.GetInt64(4)), reader.GetString(5)));
            }

            return bans;
        }, cancellationToken);

    public Task<bool> IsBannedAsync(string room, string accountId, CancellationToken cancellationToken) =>
        RunAsync(write: false, () =>
            Scalar<long>("SELECT EXISTS (SELECT 1 FROM bans WHERE room = $room AND account = $account)", ("$room", room), ("$account", accountId)) == 1,
            cancellationToken);

    public async Task<int> DropExpiredRoomsAsync(CancellationToken cancellationToken)
    {
        if (_limits.RoomRetention <= TimeSpan.Zero)
        {
            return 0;
        }

        var dropped = await RunAsync(write: true, () =>
        {
            var cutoff = ("$cutoff", (object?)(Now() - (long)_limits.RoomRetention.TotalMilliseconds));
            var names = new List<string>();
            using (var command = Command("SELECT name FROM rooms WHERE active_at < $cutoff", cutoff))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    names.Add(reader.GetString(0));
                }
            }

            // Operators and bans go with their room (ON DELETE CASCADE); history, and history of rooms that were never
            // created, explicitly.
            Execute("DELETE FROM rooms WHERE active_at < $cutoff", cutoff);
            Execute("DELETE FROM history WHERE room NOT IN (SELECT name FROM rooms)");
            return names;
        }, cancellationToken);

        _pending.Drop(dropped);
        return dropped.Count;
    }

    private StoredRoom? ReadRoom(string room)
    {
        string name;
        string? owner;
        long createdAt;
        RoomTopic? topic = null;
        using (var command = Command("SELECT name, owner, created_at, topic, topic_by, topic_at FROM rooms WHERE name = $room", ("$room", room)))
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }

            name = reader.GetString(0);
            owner = reader.IsDBNull(1) ? null : reader.GetString(1);
            createdAt = reader.GetInt64(2);
            if (!reader.IsDBNull(3))
            {
                topic = new RoomTopic(reader.GetString(3), reader.GetString(4), At(reader.GetInt64(5)));
            }
        }

        var operators = new List<string>();
        using (var command = Command("SELECT account FROM operators WHERE room = $room ORDER BY account", ("$room", room)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                operators.Add(reader.GetString(0));
            }
        }

        return new StoredRoom(name, owner, At(createdAt), topic, operators);
    }

    /// <summary>A join or a change of topic, operators or bans keeps the room from retention's sweep.</summary>
    private bool MarkActive(string room) =>
        Execute("UPDATE rooms SET active_at = $now WHERE name = $room", ("$room", room), ("$now", Now())) == 1;

    private int CountOwned(string accountId) =>
        (int)Scalar<long>("SELECT COUNT(*) FROM rooms WHERE owner = $owner", ("$owner", accountId));
}

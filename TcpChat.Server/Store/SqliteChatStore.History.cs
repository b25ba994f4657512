using Microsoft.Data.Sqlite;

namespace TcpChat.Server.Store;

internal sealed partial class SqliteChatStore
{
    // Deletes a room's rows beyond its newest $lines or beyond $bytes counted from the newest.
    private const string TrimSql = """
        DELETE FROM history WHERE room = $room AND id <= (
            SELECT id FROM (
                SELECT id, ROW_NUMBER() OVER newest AS n, SUM(bytes) OVER newest AS total FROM history WHERE room = $room
                WINDOW newest AS (ORDER BY id DESC))
            WHERE n > $lines OR total > $bytes ORDER BY id DESC LIMIT 1)
        """;

    public void AppendHistory(string room, HistoryLine line) => _pending.Append(room, line);

    public async Task<IReadOnlyList<HistoryLine>> ReadHistoryAsync(string room, int count, CancellationToken cancellationToken)
    {
        int limit = Math.Min(count, _limits.HistoryLines);
        if (limit <= 0)
        {
            return [];
        }

        // Pending first: a line whose flush commits in between is then in both, and the merge keeps one.
        var pending = _pending.Snapshot(room);
        var stored = await RunAsync(write: false, () =>
        {
            using var command = Command("SELECT id, at, nick, text, bytes FROM history WHERE room = $room ORDER BY id DESC LIMIT $limit",
                ("$room", room), ("$limit", limit));
            using var reader = command.ExecuteReader();
            var lines = new List<PendingHistory.Line>();
            while (reader.Read())
            {
                lines.Add(new PendingHistory.Line(reader.GetInt64(0), new HistoryLine(At(reader.GetInt64(1)), reader.GetString(2), reader.GetString(3)), reader.GetInt32(4)));
            }

            return lines;
        }, cancellationToken);
        return _pending.Merge(stored, pending, limit);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var batch = _pending.TakeBatch();
            bool written = false;
            try
            {
                // Not open (yet, or any more): the lines wait.
                if (_connection is not null)
                {
                    if (batch.Count > 0)
                    {
                        InTransaction(write: true, () => WriteBatch(batch));
                    }

                    written = true;
                }
            }
            finally
            {
                _pending.Complete(written);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// One transaction per interval, whatever the number of lines: the chat path never waits for it. A one-shot delay
    /// per round, started before <see cref="OpenAsync"/> returns: a clock that jumps ahead fires one flush, not one per
    /// missed interval.
    /// </summary>
    private async Task WriteBehindAsync(CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_flushInterval, _time, stop).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
                try
                {
                    await FlushAsync(stop);
                }
                catch (SqliteException e)
                {
                    StoreLog.FlushFailed(_logger, FilePath, _pending.Count, e);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Closing: CloseAsync writes what is left.
        }
    }

    private int WriteBatch(IReadOnlyDictionary<string, IReadOnlyCollection<PendingHistory.Line>> batch)
    {
        using var insert = Command("INSERT INTO history (id, room, at, nick, text, bytes) VALUES ($id, $room, $at, $nick, $text, $bytes)",
            ("$id", 0L), ("$room", string.Empty), ("$at", 0L), ("$nick", string.Empty), ("$text", string.Empty), ("$bytes", 0));
        using var trim = Command(TrimSql, ("$room", string.Empty), ("$lines", _limits.HistoryLines), ("$bytes", _limits.HistoryBytesPerRoom));
        insert.Prepare();
        trim.Prepare();
        int rows = 0;
        foreach (var (room, lines) in batch)
        {
            insert.Parameters["$room"].Value = room;
            foreach (var line in lines)
            {
                insert.Parameters["$id"].Value = line.Id;
                insert.Parameters["$at"].Value = line.Value.At.ToUnixTimeMilliseconds();
                insert.Parameters["$nick"].Value = line.Value.Nick;
                insert.Parameters["$text"].Value = line.Value.Text;
                insert.Parameters["$bytes"].Value = line.Bytes;
                rows += insert.ExecuteNonQuery();
            }

            trim.Parameters["$room"].Value = room;
            trim.ExecuteNonQuery();
        }

        return rows;
    }
}

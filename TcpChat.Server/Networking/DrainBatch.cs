namespace TcpChat.Server.Networking;

/// <summary>
/// Collects the connections whose outbox a read loop's lines made non-empty, and starts their drains a group at a
/// time once the loop has handled everything it read: one thread-pool work item per <see cref="GroupSize"/>
/// connections instead of one each (a paced line to 100 members woke 99 pool threads).
/// </summary>
internal sealed class DrainBatch : IThreadPoolWorkItem
{
    private const int GroupSize = 16;

    [ThreadStatic]
    private static List<ClientConnection>? t_collecting;

    [ThreadStatic]
    private static ClientConnection? t_reader;

    private readonly ClientConnection[] _group;

    private DrainBatch(ClientConnection[] group) => _group = group;

    /// <summary>
    /// Starts collecting on this thread for <paramref name="reader"/>'s lines; returns false if a batch is already
    /// open (nested reads).
    /// </summary>
    public static bool Begin(ClientConnection reader)
    {
        if (t_collecting is not null)
        {
            return false;
        }

        t_collecting = [];
        t_reader = reader;
        return true;
    }

    /// <summary>
    /// Adds a connection to this thread's open batch; false if none is open, or if it is the reader itself (its own
    /// replies, e.g. long listings, go out while it keeps reading, so they never pile up): schedule it directly.
    /// </summary>
    public static bool TryAdd(ClientConnection connection)
    {
        if (t_collecting is not { } list || ReferenceEquals(connection, t_reader))
        {
            return false;
        }

        list.Add(connection);
        return true;
    }

    /// <summary>Closes this thread's batch and starts the drains it collected.</summary>
    public static void End()
    {
        var list = t_collecting!;
        t_collecting = null;
        t_reader = null;
        for (int start = 0; start < list.Count; start += GroupSize)
        {
            var group = list.GetRange(start, Math.Min(GroupSize, list.Count - start)).ToArray();
            ThreadPool.UnsafeQueueUserWorkItem(new DrainBatch(group), preferLocal: false);
        }
    }

    public void Execute()
    {
        foreach (var connection in _group)
        {
            ((IThreadPoolWorkItem)connection).Execute();
        }
    }
}

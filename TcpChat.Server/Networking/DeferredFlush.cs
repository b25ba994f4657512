namespace TcpChat.Server.Networking;

/// <summary>
/// Writes out the deferred lines (presence events) of connections that have nothing else to send within
/// <see cref="Delay"/>. One timer for the whole server, armed only while something waits.
/// </summary>
internal sealed class DeferredFlush : IDisposable
{
    /// <summary>How long a presence event may wait for company: a burst of joins and quits goes out in one write.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(5);

    private readonly System.Collections.Concurrent.ConcurrentQueue<ClientConnection> _waiting = new();
    private readonly ITimer _timer;
    private int _armed;

    public DeferredFlush(TimeProvider time) => _timer = time.CreateTimer(_ => Tick(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    public void Add(ClientConnection connection)
    {
        _waiting.Enqueue(connection);
        if (Interlocked.Exchange(ref _armed, 1) == 0)
        {
            _timer.Change(Delay, Timeout.InfiniteTimeSpan);
        }
    }

    private void Tick()
    {
        Volatile.Write(ref _armed, 0);
        int count = _waiting.Count; // those that came later wait for their own tick
        for (int i = 0; i < count && _waiting.TryDequeue(out var connection); i++)
        {
            connection.FlushDeferred();
        }

        if (!_waiting.IsEmpty && Interlocked.Exchange(ref _armed, 1) == 0)
        {
            _timer.Change(Delay, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose() => _timer.Dispose();
}

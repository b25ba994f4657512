using System.Collections;
using System.Globalization;

namespace TcpChat.Server.Networking;

/// <summary>
/// The log scope of one connection: <c>ConnectionId</c>, <c>RemoteEndPoint</c> and, once logged in, <c>UserId</c>
/// (read when an event is written, so the login needs no new scope).
/// </summary>
internal sealed class ConnectionLogScope(ClientConnection connection) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("ConnectionId", connection.Id),
        1 => new("RemoteEndPoint", connection.RemoteEndPoint),
        2 => new("UserId", connection.Session.Identity?.UserId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"ConnectionId:{connection.Id} RemoteEndPoint:{connection.RemoteEndPoint} UserId:{connection.Session.Identity?.UserId ?? "-"}");
}

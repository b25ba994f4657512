namespace TcpChat.Server.Chat;

/// <summary>
/// Someone who can be in rooms and receive lines: a client connection, or a test double. Membership is changed
/// only by the member's own command loop; other members only read <see cref="Nick"/> and call <see cref="Send"/>.
/// </summary>
internal abstract class ChatMember
{
    private readonly List<Room> _rooms = []; // in join order; the last is the current room

    /// <summary>Unique for the life of the process; used in logs.</summary>
    public abstract long Id { get; }

    /// <summary>The member's nick; null until logged in.</summary>
    public string? Nick { get; set; }

    /// <summary>Queues an encoded line for delivery. Never blocks; a member that cannot keep up closes itself.</summary>
    public abstract void Send(byte[] line);

    /// <summary>Queues a line that may wait a few milliseconds to share a write (presence events).</summary>
    public virtual void SendDeferred(byte[] line) => Send(line);

    /// <summary>The room plain chat lines go to: the one joined last; null when in no room.</summary>
    public Room? CurrentRoom => _rooms.Count == 0 ? null : _rooms[^1];

    public IReadOnlyList<Room> Rooms => _rooms;

    public bool IsIn(Room room) => _rooms.Contains(room);

    /// <summary>Makes <paramref name="room"/> the current room (adding it if new).</summary>
    internal void MarkJoined(Room room)
    {
        _rooms.Remove(room);
        _rooms.Add(room);
    }

    internal void MarkLeft(Room room) => _rooms.Remove(room);
}

namespace TcpChat.Server.Chat;

/// <summary>Joining and leaving rooms, and finding the room a command means.</summary>
internal sealed partial class ChatCommands
{
    private bool Join(ChatSession session, string room)
    {
        if (!RoomRegistry.TryNormalize(room, out var name))
        {
            return Reply(session, replies.InvalidRoomName);
        }

        if (session.Rooms.Count >= _options.MaxRoomsPerMember && session.Rooms.All(r => r.Name != name))
        {
            return Reply(session, replies.TooManyRooms(session.Rooms.Count));
        }

        JoinRoom(session, name);
        return true;
    }

    private void JoinRoom(ChatSession session, string name)
    {
        // The reply is queued before the session becomes a member, so no room line can arrive ahead of it.
        session.Send(replies.Joined(name));
        bool isNew = rooms.Join(session, name, out var room);
        if (isNew)
        {
            Announce(room, replies.JoinedEvent(room.Name, session.Nick!), session);
        }
    }

    private bool Leave(ChatSession session, string arg)
    {
        if (!TryResolveRoom(session, arg, out var room, out var error))
        {
            return Reply(session, error);
        }

        rooms.Leave(session, room);
        session.Send(replies.Left(room.Name));
        Announce(room, replies.LeftEvent(room.Name, session.Nick!), session);
        return true;
    }

    /// <summary>An explicit room the session is in, or its current room when <paramref name="arg"/> is empty.</summary>
    private bool TryResolveRoom(ChatSession session, string arg, out Room room, out byte[] error)
    {
        room = null!;
        error = [];
        if (arg.Length == 0)
        {
            if (session.CurrentRoom is null)
            {
                error = replies.NoCurrentRoom;
                return false;
            }

            room = session.CurrentRoom;
            return true;
        }

        if (!RoomRegistry.TryNormalize(arg, out var name))
        {
            error = replies.InvalidRoomName;
            return false;
        }

        var found = session.Rooms.FirstOrDefault(r => r.Name == name);
        if (found is null)
        {
            error = replies.NotIn(name);
            return false;
        }

        room = found;
        return true;
    }
}

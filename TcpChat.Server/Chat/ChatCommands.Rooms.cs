using TcpChat.Server.Store;

namespace TcpChat.Server.Chat;

/// <summary>Joining and leaving rooms, and finding the room a command means.</summary>
internal sealed partial class ChatCommands
{
    private async ValueTask<bool> JoinAsync(ChatSession session, string room, CancellationToken cancellationToken)
    {
        if (!RoomRegistry.TryNormalize(room, out var name))
        {
            return Reply(session, replies.InvalidRoomName);
        }

        if (session.FindRoom(name) is { } current)
        {
            // Already in it: it becomes current again, without asking the store.
            session.Send(replies.Joined(name));
            session.MarkJoined(current);
            return true;
        }

        if (session.Rooms.Count >= _options.MaxRoomsPerMember)
        {
            return Reply(session, replies.TooManyRooms(session.Rooms.Count));
        }

        await JoinRoomAsync(session, name, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Joins a room the session is not in: refused when the account is banned from it; otherwise the room is created
    /// (owned by this account, except the default room) or marked joined, and the topic follows <c>OK JOIN</c>.
    /// </summary>
    private async ValueTask JoinRoomAsync(ChatSession session, string name, CancellationToken cancellationToken)
    {
        var account = session.Account!;
        if (await store.IsBannedAsync(name, account.Id, cancellationToken).ConfigureAwait(false))
        {
            session.Send(replies.Banned(name));
            return;
        }

        var creation = await store.EnsureRoomAsync(name, name == _defaultRoom ? null : account.Id, cancellationToken).ConfigureAwait(false);
        if (creation.Outcome == RoomCreationOutcome.OwnerLimitReached || creation.Room is null)
        {
            session.Send(replies.TooManyOwnedRooms(_options.MaxOwnedRoomsPerAccount));
            return;
        }

        // The reply is queued before the session becomes a member, so no room line can arrive ahead of it.
        session.Send(replies.Joined(name));
        if (creation.Room.Topic is { Text.Length: > 0 } topic)
        {
            session.Send(replies.TopicOnJoin(name, topic.Text));
        }

        if (rooms.Join(session, name, out var room))
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

        bool lastOfAccount = rooms.Leave(session, room);
        session.Send(replies.Left(room.Name));
        if (lastOfAccount)
        {
            Announce(room, replies.LeftEvent(room.Name, session.Nick!), session);
        }

        return true;
    }

    /// <summary>An explicit room the session is in, or its current room when <paramref name="arg"/> is empty.</summary>
    private bool TryResolveRoom(ChatSession session, string arg, out Room room, out byte[] error)
    {
        room = null!;
        if (!TryRoomName(session, arg, replies.NoCurrentRoom, out var name, out error))
        {
            return false;
        }

        if (arg.Length == 0)
        {
            room = session.CurrentRoom!;
            return true;
        }

        var found = session.FindRoom(name);
        if (found is null)
        {
            error = replies.NotIn(name);
            return false;
        }

        room = found;
        return true;
    }

    /// <summary>
    /// The normalized name of the room a command names (an optional first argument), or of the current room when
    /// <paramref name="arg"/> is empty; false with the reply to send (<paramref name="noCurrentRoom"/> when there is none).
    /// </summary>
    private bool TryRoomName(ChatSession session, string arg, byte[] noCurrentRoom, out string name, out byte[] error)
    {
        error = [];
        if (arg.Length == 0)
        {
            if (session.CurrentRoom is not { } current)
            {
                (name, error) = (string.Empty, noCurrentRoom);
                return false;
            }

            name = current.Name;
            return true;
        }

        if (!RoomRegistry.TryNormalize(arg, out name))
        {
            error = replies.InvalidRoomName;
            return false;
        }

        return true;
    }
}

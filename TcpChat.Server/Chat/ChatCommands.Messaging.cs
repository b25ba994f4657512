namespace TcpChat.Server.Chat;

/// <summary>Chat lines, <c>/msg</c>, <c>/me</c> and <c>/nick</c>.</summary>
internal sealed partial class ChatCommands
{
    private bool Say(ChatSession session, string text)
    {
        if (session.CurrentRoom is not { } room)
        {
            return Reply(session, replies.NoRoomToSayIn);
        }

        Deliver(session, room, text);
        return true;
    }

    /// <summary>A chat line: encoded once, the same bytes to every other member, and kept in the room's history.</summary>
    private void Deliver(ChatSession session, Room room, string text)
    {
        room.Broadcast(replies.ChatLine(room.Name, session.Nick!, text), except: session);
        room.AddHistory(new HistoryEntry(time.GetUtcNow(), session.Nick!, text));
    }

    private bool Msg(ChatSession session, string target, string text)
    {
        if (target.StartsWith('#'))
        {
            if (!TryResolveRoom(session, target, out var room, out var error))
            {
                return Reply(session, error);
            }

            Deliver(session, room, text);
            return true;
        }

        if (nicks.Find(target) is not { } recipient)
        {
            return Reply(session, replies.NoSuchUser(target));
        }

        recipient.Send(replies.PrivateLine(session.Nick!, text));
        return Reply(session, replies.MessageSent(recipient.Nick!));
    }

    private bool Me(ChatSession session, string text)
    {
        if (session.CurrentRoom is not { } room)
        {
            return Reply(session, replies.NoRoomToSayIn);
        }

        room.Broadcast(replies.Action(room.Name, session.Nick!, text), except: session);
        return true;
    }

    private bool Nick(ChatSession session, string nick)
    {
        if (!NickRegistry.IsValid(nick))
        {
            return Reply(session, replies.InvalidNick);
        }

        string old = session.Nick!;
        if (!nicks.TryRename(session, nick))
        {
            return Reply(session, replies.NickTaken(nick));
        }

        session.Send(replies.NickChanged(nick));
        if (old != nick)
        {
            foreach (var room in session.Rooms)
            {
                Announce(room, replies.RenamedEvent(room.Name, old, nick), session);
            }
        }

        return true;
    }
}

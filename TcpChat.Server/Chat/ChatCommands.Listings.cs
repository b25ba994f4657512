namespace TcpChat.Server.Chat;

/// <summary>Listings: <c>/rooms</c>, <c>/who</c>, <c>/history</c> and help; each ends with its <c>OK</c> line.</summary>
internal sealed partial class ChatCommands
{
    private bool ListRooms(ChatSession session)
    {
        var list = rooms.List();
        foreach (var room in list)
        {
            session.Send(replies.RoomRow(room.Name, room.Count));
        }

        return Reply(session, replies.RoomsDone(list.Length));
    }

    private bool Who(ChatSession session, string arg)
    {
        string name;
        if (arg.Length == 0)
        {
            if (session.CurrentRoom is null)
            {
                return Reply(session, replies.NoRoomToList);
            }

            name = session.CurrentRoom.Name;
        }
        else if (!RoomRegistry.TryNormalize(arg, out name))
        {
            return Reply(session, replies.InvalidRoomName);
        }

        var members = rooms.Find(name)?.Members ?? [];
        var names = members.Select(m => m.Nick).OfType<string>().Order(StringComparer.OrdinalIgnoreCase).ToArray();
        foreach (var nick in names)
        {
            session.Send(replies.UserRow(nick));
        }

        return Reply(session, replies.WhoDone(name, names.Length));
    }

    private bool History(ChatSession session, string roomArg, int count)
    {
        if (!TryResolveRoom(session, roomArg, out var room, out var error))
        {
            return Reply(session, error);
        }

        var entries = room.GetHistory(count);
        foreach (var entry in entries)
        {
            session.Send(replies.HistoryRow(room.Name, entry.At, entry.Nick, entry.Text));
        }

        return Reply(session, replies.HistoryDone(room.Name, entries.Length));
    }

    private bool Help(ChatSession session, IReadOnlyList<byte[]> rows)
    {
        foreach (var row in rows)
        {
            session.Send(row);
        }

        return Reply(session, replies.HelpDone);
    }
}

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

    /// <summary>The room's accounts, each once, with their role: <c>owner</c>, <c>op</c> (the room's or a server operator) or none.</summary>
    private async ValueTask<bool> WhoAsync(ChatSession session, string arg, CancellationToken cancellationToken)
    {
        if (!TryRoomName(session, arg, replies.NoRoomToList, out var name, out var error))
        {
            return Reply(session, error);
        }

        var members = rooms.Find(name)?.Accounts() ?? [];
        var stored = members.Length == 0 ? null : await store.GetRoomAsync(name, cancellationToken).ConfigureAwait(false);
        foreach (var account in members.OrderBy(a => a.Nick, StringComparer.OrdinalIgnoreCase))
        {
            if (stored?.OwnerAccountId == account.Id)
            {
                session.Send(replies.UserRow(account.Nick, "owner"));
            }
            else if (stored?.OperatorAccountIds.Contains(account.Id) == true || IsServerOperator(account.Id, account.Email))
            {
                session.Send(replies.UserRow(account.Nick, "op"));
            }
            else
            {
                session.Send(replies.UserRow(account.Nick));
            }
        }

        return Reply(session, replies.WhoDone(name, members.Length));
    }

    /// <summary>The room's last lines from the store: they outlive the room's members and restarts.</summary>
    private async ValueTask<bool> HistoryAsync(ChatSession session, string roomArg, int count, CancellationToken cancellationToken)
    {
        if (!TryResolveRoom(session, roomArg, out var room, out var error))
        {
            return Reply(session, error);
        }

        var lines = await store.ReadHistoryAsync(room.Name, count, cancellationToken).ConfigureAwait(false);
        foreach (var line in lines)
        {
            session.Send(replies.HistoryRow(room.Name, line.At, line.Nick, line.Text));
        }

        return Reply(session, replies.HistoryDone(room.Name, lines.Count));
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

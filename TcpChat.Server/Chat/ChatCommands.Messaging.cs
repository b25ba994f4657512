using TcpChat.Server.Protocol;
using TcpChat.Server.Store;

namespace TcpChat.Server.Chat;

/// <summary>Chat lines, <c>/msg</c>, <c>/me</c> and <c>/nick</c>.</summary>
internal sealed partial class ChatCommands
{
    private bool Say(ChatSession session, string text)
    {
        // "help" or "quit" typed without the / is almost never meant for the room.
        if (CommandParser.BareCommandWord(text) is { } command)
        {
            return Reply(session, replies.BareCommandHint(command, text.Trim()));
        }

        if (session.CurrentRoom is not { } room)
        {
            return Reply(session, replies.NoRoomToSayIn);
        }

        Deliver(session, room, text);
        return true;
    }

    /// <summary>
    /// A chat line: encoded once, the same bytes to every other member session (the account's other sessions
    /// included), and handed to the store's history without waiting for it.
    /// </summary>
    private void Deliver(ChatSession session, Room room, string text)
    {
        string nick = session.Nick!;
        room.Broadcast(replies.ChatLine(room.Name, nick, text), except: session);
        store.AppendHistory(room.Name, new HistoryLine(time.GetUtcNow(), nick, text));
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

        if (accounts.FindByNick(target) is not { } recipient)
        {
            return Reply(session, replies.NoSuchUser(target));
        }

        recipient.Send(replies.PrivateLine(session.Nick!, text));
        return Reply(session, replies.MessageSent(recipient.Nick));
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

    /// <summary>
    /// Moves the account (every session of it) to the nick, when no other account owns it, online or not. Each room any
    /// of its sessions is in hears of it once.
    /// </summary>
    private async ValueTask<bool> NickAsync(ChatSession session, string nick, CancellationToken cancellationToken)
    {
        if (!AccountRegistry.IsValid(nick))
        {
            return Reply(session, replies.InvalidNick);
        }

        var account = session.Account!;
        string old = account.Nick;
        if (old != nick)
        {
            var change = await store.ChangeNickAsync(account.Id, nick, cancellationToken).ConfigureAwait(false);
            if (change.Outcome == NickChangeOutcome.Taken)
            {
                return Reply(session, replies.NickTaken(nick));
            }

            accounts.Rename(account, nick);
        }

        session.Send(replies.NickChanged(nick));
        if (old != nick)
        {
            foreach (var room in account.Sessions.SelectMany(s => s.Rooms).Distinct())
            {
                Announce(room, replies.RenamedEvent(room.Name, old, nick), session);
            }
        }

        return true;
    }
}

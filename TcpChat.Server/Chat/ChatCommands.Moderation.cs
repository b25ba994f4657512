using TcpChat.Server.Protocol;
using TcpChat.Server.Store;

namespace TcpChat.Server.Chat;

/// <summary>
/// Topics and moderation: <c>/topic</c>, <c>/op</c>, <c>/deop</c>, <c>/kick</c>, <c>/ban</c>, <c>/unban</c>, <c>/bans</c>.
/// Rights come from the store's room (owner, operators) and <see cref="ChatOptions.Operators"/>; they act on accounts,
/// so a ban follows its account across nick changes, sessions and reconnects. The room is the optional
/// <c>#room</c> argument, else the current room.
/// </summary>
internal sealed partial class ChatCommands
{
    private async ValueTask<bool> ModerateAsync(ChatSession session, Command command, CancellationToken cancellationToken)
    {
        if (await FindStoredRoomAsync(session, command.Room, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return true;
        }

        var actor = session.Account!;
        if (command.Verb == Verb.Topic && command.Text.Length == 0)
        {
            return Reply(session, replies.Topic(room.Name, room.Topic?.Text ?? string.Empty));
        }

        if (!IsOperator(room, actor.Id, actor.Email))
        {
            return Reply(session, replies.NotOperator(room.Name));
        }

        switch (command.Verb)
        {
            case Verb.Topic:
                return await SetTopicAsync(session, room, command.Text, cancellationToken).ConfigureAwait(false);
            case Verb.Bans:
                return await ListBansAsync(session, room, cancellationToken).ConfigureAwait(false);
        }

        if (await FindTargetAsync(command.Target, cancellationToken).ConfigureAwait(false) is not { } target)
        {
            return Reply(session, replies.NoSuchUser(command.Target));
        }

        bool isProtected = room.OwnerAccountId == target.Id || IsServerOperator(target.Id, target.Email);
        switch (command.Verb)
        {
            case Verb.Op:
                await store.AddOperatorAsync(room.Name, target.Id, cancellationToken).ConfigureAwait(false);
                session.Send(replies.Opped(room.Name, target.Nick));
                Tell(room.Name, replies.OppedEvent(room.Name, actor.Nick, target.Nick), session);
                return true;
            case Verb.Deop when isProtected:
                return Reply(session, replies.NotPermitted);
            case Verb.Deop:
                await store.RemoveOperatorAsync(room.Name, target.Id, cancellationToken).ConfigureAwait(false);
                session.Send(replies.Deopped(room.Name, target.Nick));
                Tell(room.Name, replies.DeoppedEvent(room.Name, actor.Nick, target.Nick), session);
                return true;
            case Verb.Kick or Verb.Ban when isProtected:
                return Reply(session, replies.NotPermitted);
            case Verb.Kick:
                if (!PutOut(room.Name, target.Id, replies.KickedEvent(room.Name, target.Nick, actor.Nick, command.Text), session))
                {
                    return Reply(session, replies.NotInThatRoom(target.Nick, room.Name));
                }

                return Reply(session, replies.Kicked(room.Name, target.Nick));
            case Verb.Ban:
                await store.AddBanAsync(room.Name, target.Id, actor.Id, command.Text, cancellationToken).ConfigureAwait(false);
                PutOut(room.Name, target.Id, replies.KickedEvent(room.Name, target.Nick, actor.Nick, command.Text), session);
                return Reply(session, replies.BanDone(room.Name, target.Nick));
            default: // Verb.Unban
                await store.RemoveBanAsync(room.Name, target.Id, cancellationToken).ConfigureAwait(false);
                return Reply(session, replies.Unbanned(room.Name, target.Nick));
        }
    }

    private async ValueTask<bool> SetTopicAsync(ChatSession session, StoredRoom room, string text, CancellationToken cancellationToken)
    {
        var topic = await store.SetTopicAsync(room.Name, text, session.Account!.Id, cancellationToken).ConfigureAwait(false);
        if (topic is null)
        {
            return Reply(session, replies.NoSuchRoom(room.Name)); // dropped by retention meanwhile
        }

        session.Send(replies.Topic(room.Name, topic.Text));
        Tell(room.Name, replies.TopicSetEvent(room.Name, session.Nick!, topic.Text), session);
        return true;
    }

    private async ValueTask<bool> ListBansAsync(ChatSession session, StoredRoom room, CancellationToken cancellationToken)
    {
        var bans = await store.GetBansAsync(room.Name, cancellationToken).ConfigureAwait(false);
        foreach (var ban in bans)
        {
            session.Send(replies.BanRow(room.Name, ban.Nick ?? ban.AccountId, ban.ByNick ?? ban.ByAccountId, ban.At, ban.Reason));
        }

        return Reply(session, replies.BansDone(room.Name, bans.Count));
    }

    /// <summary>The room a moderation command means, from the store; null (the error sent) when there is none.</summary>
    private async ValueTask<StoredRoom?> FindStoredRoomAsync(ChatSession session, string arg, CancellationToken cancellationToken)
    {
        if (!TryRoomName(session, arg, replies.NoCurrentRoom, out var name, out var error))
        {
            session.Send(error);
            return null;
        }

        var room = await store.GetRoomAsync(name, cancellationToken).ConfigureAwait(false);
        if (room is null)
        {
            session.Send(replies.NoSuchRoom(name));
        }

        return room;
    }

    /// <summary>The account owning <paramref name="nick"/>, online or not, with its nick as it owns it; null when nobody does.</summary>
    private async ValueTask<Target?> FindTargetAsync(string nick, CancellationToken cancellationToken)
    {
        if (accounts.FindByNick(nick) is { } online)
        {
            return new Target(online.Id, online.Nick, online.Email);
        }

        if (await store.FindAccountByNickAsync(nick, cancellationToken).ConfigureAwait(false) is not { } id)
        {
            return null;
        }

        string owned = await store.GetNickAsync(id, cancellationToken).ConfigureAwait(false) ?? nick;
        return new Target(id, owned, accounts.FindById(id)?.Email);
    }

    private bool IsOperator(StoredRoom room, string accountId, string? email) =>
        room.OwnerAccountId == accountId || room.OperatorAccountIds.Contains(accountId) || IsServerOperator(accountId, email);

    /// <summary>
    /// Tells the room's members (and the sessions about to be put out) <paramref name="line"/>, then takes every session
    /// of the account out of the room; false when none was in it.
    /// </summary>
    private bool PutOut(string roomName, string accountId, byte[] line, ChatSession actor)
    {
        if (rooms.Find(roomName) is not { } room)
        {
            return false;
        }

        var sessionsThere = room.Members.Where(s => s.Account?.Id == accountId).ToArray();
        if (sessionsThere.Length == 0)
        {
            return false;
        }

        room.Broadcast(line, except: actor, deferred: true);
        foreach (var kicked in sessionsThere)
        {
            rooms.Leave(kicked, room);
        }

        return true;
    }

    /// <summary>A moderation event to the room's member sessions but the actor's: rare, so told in rooms of any size.</summary>
    private void Tell(string roomName, byte[] line, ChatSession actor) => rooms.Find(roomName)?.Broadcast(line, except: actor, deferred: true);

    /// <summary>An account a moderation command names; <paramref name="Email"/> is known only while it is online.</summary>
    private sealed record Target(string Id, string Nick, string? Email);
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TcpChat.Server.Auth;
using TcpChat.Server.Protocol;
using TcpChat.Server.Store;

namespace TcpChat.Server.Chat;

/// <summary>
/// The commands of docs/protocol.md, run on a <see cref="ChatSession"/>: a line is parsed by
/// <see cref="CommandParser"/>, handled by the partial for its concern (Login, Rooms, Messaging, Listings,
/// Moderation), and answered with <see cref="Replies"/>. Stateless; only the session's own read loop calls in for it.
/// Chat lines never wait on the store; commands that read or change it (join, nick, history, who, moderation) await it
/// on a pool thread, never on the socket's.
/// </summary>
internal sealed partial class ChatCommands(
    IOptions<ChatOptions> options,
    IAuthService auth,
    SessionKeeper sessions,
    RoomRegistry rooms,
    AccountRegistry accounts,
    IChatStore store,
    Replies replies,
    TimeProvider time,
    ILogger<ChatCommands> logger)
{
    private readonly ChatOptions _options = options.Value;
    private readonly string _defaultRoom = RoomRegistry.TryNormalize(options.Value.DefaultRoom, out var room)
        ? room
        : throw new OptionsValidationException(nameof(ChatOptions), typeof(ChatOptions), ["Chat:DefaultRoom is not a valid room name"]);

    private readonly HashSet<string> _serverOperators = new(
        (options.Value.Operators ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        StringComparer.OrdinalIgnoreCase);

    /// <summary>Set when the server is stopping: quits are then not announced, as everyone is being closed.</summary>
    public bool Stopping { get; set; }

    /// <summary>
    /// Handles one line; returns false when the session should close after flushing its output. The line rate is the
    /// caller's: lines over it wait in the connection's backlog (<see cref="ChatSession.TryTakeLineBudget"/>).
    /// </summary>
    public ValueTask<bool> HandleAsync(ChatSession session, string line, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return Done(true); // an empty line (Enter in telnet) asks for nothing
        }

        bool loggedIn = session.IsLoggedIn;
        var command = CommandParser.Parse(line, loggedIn);
        if (!loggedIn)
        {
            return HandleBeforeLoginAsync(session, command, cancellationToken);
        }

        if (!command.IsValid)
        {
            return Done(Reply(session, replies.BadArguments(command)));
        }

        return NeedsStore(command.Verb) ? HandleWithStoreAsync(session, command, cancellationToken) : Done(HandleLoggedIn(session, command));
    }

    private static bool NeedsStore(Verb verb) => verb is Verb.Join or Verb.Nick or Verb.Who or Verb.History
        or Verb.Topic or Verb.Op or Verb.Deop or Verb.Kick or Verb.Ban or Verb.Unban or Verb.Bans;

    private bool HandleLoggedIn(ChatSession session, in Command command) => command.Verb switch
    {
        Verb.Say => Say(session, command.Text),
        Verb.Leave => Leave(session, command.Room),
        Verb.Rooms => ListRooms(session),
        Verb.Msg => Msg(session, command.Target, command.Text),
        Verb.Me => Me(session, command.Text),
        Verb.Ping => Reply(session, replies.Pong),
        Verb.Help => Help(session, replies.HelpAfterLogin),
        Verb.Quit => Quit(session, command.Text),
        Verb.Auth or Verb.Signup or Verb.Recover or Verb.Token or Verb.Reset => Reply(session, replies.AlreadyAuthenticated),
        _ => Reply(session, replies.UnknownCommand(command.Word)),
    };

    private async ValueTask<bool> HandleWithStoreAsync(ChatSession session, Command command, CancellationToken cancellationToken)
    {
        // Socket completions run inline on the epoll thread; a store call must not hold it.
        await Task.Yield();
        return command.Verb switch
        {
            Verb.Join => await JoinAsync(session, command.Room, cancellationToken).ConfigureAwait(false),
            Verb.Nick => await NickAsync(session, command.Target, cancellationToken).ConfigureAwait(false),
            Verb.Who => await WhoAsync(session, command.Room, cancellationToken).ConfigureAwait(false),
            Verb.History => await HistoryAsync(session, command.Room, command.Count, cancellationToken).ConfigureAwait(false),
            _ => await ModerateAsync(session, command, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>Called once when a session ends: leave its rooms (announcing the quit where it was the account's last session) and detach it from its account.</summary>
    public void Disconnect(ChatSession session)
    {
        if (session.Account is null)
        {
            return;
        }

        string nick = session.Nick!;
        string reason = session.QuitReason ?? (session.Output.IsSlowConsumer ? "slow consumer" : "connection closed");
        foreach (var room in session.Rooms)
        {
            if (rooms.Leave(session, room) && !Stopping)
            {
                Announce(room, replies.QuitEvent(room.Name, nick, reason), session);
            }
        }

        accounts.Detach(session);
        ChatLog.LoggedOut(logger, session.Id, session.Identity?.UserId);
    }

    /// <summary>A presence event, unless the room is too big for them (<see cref="ChatOptions.PresenceEventsMaxMembers"/>).</summary>
    private void Announce(Room room, byte[] line, ChatSession except)
    {
        if (_options.PresenceEventsMaxMembers == 0 || room.Count <= _options.PresenceEventsMaxMembers)
        {
            room.Broadcast(line, except, deferred: true);
        }
    }

    /// <summary>Whether the account is a server operator (<see cref="ChatOptions.Operators"/>, by user id or email).</summary>
    private bool IsServerOperator(string accountId, string? email) =>
        _serverOperators.Contains(accountId) || (email is not null && _serverOperators.Contains(email));

    private static ValueTask<bool> Done(bool keepOpen) => ValueTask.FromResult(keepOpen);

    private static bool Reply(ChatSession session, byte[] line)
    {
        session.Send(line);
        return true;
    }

    private bool Quit(ChatSession session, string reason)
    {
        session.QuitReason = reason;
        session.Send(replies.Bye);
        return false;
    }
}

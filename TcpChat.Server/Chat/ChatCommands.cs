using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TcpChat.Server.Auth;
using TcpChat.Server.Protocol;

namespace TcpChat.Server.Chat;

/// <summary>
/// The commands of docs/protocol.md, run on a <see cref="ChatSession"/>: a line is parsed by
/// <see cref="CommandParser"/>, handled by the partial for its concern (Login, Rooms, Messaging, Listings), and
/// answered with <see cref="Replies"/>. Stateless; only the session's own read loop calls in for it.
/// </summary>
internal sealed partial class ChatCommands(
    IOptions<ChatOptions> options,
    IAuthService auth,
    SessionKeeper sessions,
    RoomRegistry rooms,
    NickRegistry nicks,
    Replies replies,
    TimeProvider time,
    ILogger<ChatCommands> logger)
{
    private readonly ChatOptions _options = options.Value;
    private readonly string _defaultRoom = RoomRegistry.TryNormalize(options.Value.DefaultRoom, out var room)
        ? room
        : throw new OptionsValidationException(nameof(ChatOptions), typeof(ChatOptions), ["Chat:DefaultRoom is not a valid room name"]);

    /// <summary>Set when the server is stopping: quits are then not announced, as everyone is being closed.</summary>
    public bool Stopping { get; set; }

    /// <summary>Handles one line; returns false when the session should close after flushing its output.</summary>
    public ValueTask<bool> HandleAsync(ChatSession session, string line, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return Done(true); // an empty line (Enter in telnet) asks for nothing
        }

        if (!session.TryTakeLineBudget())
        {
            return Done(Reply(session, replies.RateLimited));
        }

        bool loggedIn = session.IsLoggedIn;
        var command = CommandParser.Parse(line, loggedIn);
        return loggedIn ? Done(HandleLoggedIn(session, command)) : HandleBeforeLoginAsync(session, command, cancellationToken);
    }

    private bool HandleLoggedIn(ChatSession session, in Command command)
    {
        if (!command.IsValid && command.Verb is not (Verb.Auth or Verb.Signup or Verb.Recover or Verb.Token))
        {
            return Reply(session, replies.BadArguments(command));
        }

        return command.Verb switch
        {
            Verb.Say => Say(session, command.Text),
            Verb.Join => Join(session, command.Room),
            Verb.Leave => Leave(session, command.Room),
            Verb.Rooms => ListRooms(session),
            Verb.Who => Who(session, command.Room),
            Verb.Msg => Msg(session, command.Target, command.Text),
            Verb.Me => Me(session, command.Text),
            Verb.Nick => Nick(session, command.Target),
            Verb.History => History(session, command.Room, command.Count),
            Verb.Ping => Reply(session, replies.Pong),
            Verb.Help => Help(session, replies.HelpAfterLogin),
            Verb.Quit => Quit(session, command.Text),
            Verb.Auth or Verb.Signup or Verb.Recover or Verb.Token => Reply(session, replies.AlreadyAuthenticated),
            _ => Reply(session, replies.UnknownCommand(command.Word)),
        };
    }

    /// <summary>Called once when a session ends: leave its rooms (announcing the quit) and free its nick.</summary>
    public void Disconnect(ChatSession session)
    {
        if (session.Nick is not { } nick)
        {
            return;
        }

        string reason = session.QuitReason ?? (session.Output.IsSlowConsumer ? "slow consumer" : "connection closed");
        foreach (var room in session.Rooms.ToArray())
        {
            rooms.Leave(session, room);
            if (!Stopping)
            {
                Announce(room, replies.QuitEvent(room.Name, nick, reason), session);
            }
        }

        nicks.Release(session);
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

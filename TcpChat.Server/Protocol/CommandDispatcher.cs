using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TcpChat.Server.Auth;
using TcpChat.Server.Chat;
using TcpChat.Server.Hosting;
using TcpChat.Server.Networking;

namespace TcpChat.Server.Protocol;

/// <summary>
/// docs/protocol.md in code: turns one decoded line of one client into replies, room events and deliveries. Stateless;
/// a client's state lives on its connection, and only that connection's read loop calls in here.
/// </summary>
internal sealed partial class CommandDispatcher(
    IOptions<ChatOptions> options,
    IAuthService auth,
    SessionKeeper sessions,
    RoomRegistry rooms,
    NickRegistry nicks,
    LineEncoder encoder,
    TimeProvider time,
    ILogger<CommandDispatcher> logger)
{
    private const int DefaultHistory = 20;
    private const int MaxHistory = 200;

    private readonly ChatOptions _options = options.Value;
    private readonly string _defaultRoom = RoomRegistry.TryNormalize(options.Value.DefaultRoom, out var room)
        ? room
        : throw new OptionsValidationException(nameof(ChatOptions), typeof(ChatOptions), ["Chat:DefaultRoom is not a valid room name"]);

    /// <summary>Set when the server is stopping: quits are then not announced, as everyone is being closed.</summary>
    public bool Stopping { get; set; }

    /// <summary>Handles one line; returns false when the connection should close after flushing its output.</summary>
    public ValueTask<bool> HandleAsync(ClientConnection client, string line, CancellationToken cancellationToken)
    {
        if (!client.IsLoggedIn)
        {
            return HandleBeforeLoginAsync(client, line, cancellationToken);
        }

        if (line.StartsWith("//", StringComparison.Ordinal))
        {
            return Done(Say(client, line[1..]));
        }

        if (!line.StartsWith('/'))
        {
            return Done(LooksLikeLogin(line) ? Reply(client, Err(ErrorCodes.AlreadyAuthenticated, "you are already logged in")) : Say(client, line));
        }

        var (verb, args) = Split(line[1..]);
        return Done(verb.ToUpperInvariant() switch
        {
            "JOIN" => Join(client, args),
            "LEAVE" or "PART" => Leave(client, args),
            "ROOMS" => ListRooms(client),
            "WHO" => Who(client, args),
            "MSG" => Msg(client, args),
            "ME" => Me(client, args),
            "NICK" => Nick(client, args),
            "HISTORY" => History(client, args),
            "PING" => Reply(client, encoder.Ok("PONG")),
            "HELP" => Help(client, AfterLoginHelp),
            "QUIT" => Quit(client, args),
            "AUTH" or "SIGNUP" or "RECOVER" or "TOKEN" => Reply(client, Err(ErrorCodes.AlreadyAuthenticated, "you are already logged in")),
            _ => Reply(client, Err(ErrorCodes.UnknownCommand, $"unknown command /{verb}; try /help")),
        });
    }

    /// <summary>Called once when a connection ends: leave its rooms (announcing the quit) and free its nick.</summary>
    public void Disconnect(ClientConnection client)
    {
        if (client.Nick is null)
        {
            return;
        }

        string reason = client.QuitReason ?? (client.IsSlowConsumer ? "slow consumer" : "connection closed");
        foreach (var room in client.Rooms.ToArray())
        {
            rooms.Leave(client, room);
            if (!Stopping)
            {
                Announce(room, client.Nick + (reason.Length == 0 ? " quit" : " quit (" + reason + ")"), client);
            }
        }

        nicks.Release(client);
        CommandLog.LoggedOut(logger, client.Id, client.Identity?.UserId);
    }

    /// <summary>A presence event (<c>#room * ...</c>), unless the room is too big for them (<see cref="ChatOptions.PresenceEventsMaxMembers"/>).</summary>
    private void Announce(Room room, string text, ClientConnection except)
    {
        if (_options.PresenceEventsMaxMembers == 0 || room.Count <= _options.PresenceEventsMaxMembers)
        {
            room.Broadcast(encoder.Encode(room.Name + " * " + text), except, deferred: true);
        }
    }

    private static ValueTask<bool> Done(bool keepOpen) => ValueTask.FromResult(keepOpen);

    // The verb, then everything after the first run of spaces.
    private static (string Verb, string Args) Split(string text)
    {
        int space = text.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (text, string.Empty) : (text[..space], text[(space + 1)..]);
    }

    private byte[] Err(string code, string text) => encoder.Error(code, text);

    private static bool Reply(ClientConnection client, byte[] line)
    {
        client.Send(line);
        return true;
    }

    private bool Say(ClientConnection client, string text)
    {
        if (client.CurrentRoom is not { } room)
        {
            return Reply(client, Err(ErrorCodes.NotInRoom, "you are in no room; /join one first"));
        }

        Deliver(client, room, text);
        return true;
    }

    /// <summary>A chat line: encoded once, the same bytes to every other member, and kept in the room's history.</summary>
    private void Deliver(ClientConnection client, Room room, string text)
    {
        room.Broadcast(encoder.Encode(room.Name + " " + client.Nick + ": " + text), except: client);
        room.AddHistory(new HistoryEntry(time.GetUtcNow(), client.Nick!, text));
    }

    private bool Join(ClientConnection client, string args)
    {
        string name = args.Trim();
        if (name.Length == 0 || name.Contains(' ', StringComparison.Ordinal))
        {
            return Reply(client, Err(ErrorCodes.BadArguments, "usage: /join <room>"));
        }

        if (!RoomRegistry.TryNormalize(name, out name))
        {
            return Reply(client, Err(ErrorCodes.InvalidRoomName, "room names are 1-32 of a-z 0-9 _ - after #"));
        }

        if (client.Rooms.Count >= _options.MaxRoomsPerMember && client.Rooms.All(r => r.Name != name))
        {
            return Reply(client, Err(ErrorCodes.TooManyRooms, $"you are in {client.Rooms.Count} rooms, the most allowed; /leave one first"));
        }

        JoinRoom(client, name);
        return true;
    }

    private void JoinRoom(ClientConnection client, string name)
    {
        // The reply is queued before the client becomes a member, so no room line can arrive ahead of it.
        client.Send(encoder.Ok("JOIN " + name));
        bool isNew = rooms.Join(client, name, out var room);
        if (isNew)
        {
            Announce(room, client.Nick + " joined", client);
        }
    }

    private bool Leave(ClientConnection client, string args)
    {
        if (!TryResolveRoom(client, args.Trim(), out var room, out var error))
        {
            return Reply(client, error);
        }

        rooms.Leave(client, room);
        client.Send(encoder.Ok("LEAVE " + room.Name));
        Announce(room, client.Nick + " left", client);
        return true;
    }

    /// <summary>An explicit room the client is in, or its current room when <paramref name="arg"/> is empty.</summary>
    private bool TryResolveRoom(ClientConnection client, string arg, out Room room, out byte[] error)
    {
        room = null!;
        error = [];
        if (arg.Length == 0)
        {
            if (client.CurrentRoom is null)
            {
                error = Err(ErrorCodes.NotInRoom, "you are in no room");
                return false;
            }

            room = client.CurrentRoom;
            return true;
        }

        if (!RoomRegistry.TryNormalize(arg, out var name))
        {
            error = Err(ErrorCodes.InvalidRoomName, "room names are 1-32 of a-z 0-9 _ - after #");
            return false;
        }

        var found = client.Rooms.FirstOrDefault(r => r.Name == name);
        if (found is null)
        {
            error = Err(ErrorCodes.NotInRoom, "you are not in " + name);
            return false;
        }

        room = found;
        return true;
    }

    private bool ListRooms(ClientConnection client)
    {
        var list = rooms.List();
        foreach (var room in list)
        {
            client.Send(encoder.Encode(string.Create(CultureInfo.InvariantCulture, $"ROOM {room.Name} {room.Count}")));
        }

        return Reply(client, encoder.Ok(string.Create(CultureInfo.InvariantCulture, $"ROOMS {list.Length}")));
    }

    private bool Who(ClientConnection client, string args)
    {
        string arg = args.Trim();
        string name;
        if (arg.Length == 0)
        {
            if (client.CurrentRoom is null)
            {
                return Reply(client, Err(ErrorCodes.NotInRoom, "you are in no room; name one: /who <room>"));
            }

            name = client.CurrentRoom.Name;
        }
        else if (!RoomRegistry.TryNormalize(arg, out name))
        {
            return Reply(client, Err(ErrorCodes.InvalidRoomName, "room names are 1-32 of a-z 0-9 _ - after #"));
        }

        var members = rooms.Find(name)?.Members ?? [];
        var names = members.Select(m => m.Nick).OfType<string>().Order(StringComparer.OrdinalIgnoreCase).ToArray();
        foreach (var nick in names)
        {
            client.Send(encoder.Encode("USER " + nick));
        }

        return Reply(client, encoder.Ok(string.Create(CultureInfo.InvariantCulture, $"WHO {name} {names.Length}")));
    }

    private bool Msg(ClientConnection client, string args)
    {
        var (target, text) = Split(args.TrimStart());
        if (target.Length == 0 || text.Length == 0)
        {
            return Reply(client, Err(ErrorCodes.BadArguments, "usage: /msg <#room|nick> <text>"));
        }

        if (target.StartsWith('#'))
        {
            if (!TryResolveRoom(client, target, out var room, out var error))
            {
                return Reply(client, error);
            }

            Deliver(client, room, text);
            return true;
        }

        if (nicks.Find(target) is not { } recipient)
        {
            return Reply(client, Err(ErrorCodes.NoSuchUser, "nobody is called " + target));
        }

        recipient.Send(encoder.Encode("@" + client.Nick + ": " + text));
        return Reply(client, encoder.Ok("MSG " + recipient.Nick));
    }

    private bool Me(ClientConnection client, string args)
    {
        if (args.Trim().Length == 0)
        {
            return Reply(client, Err(ErrorCodes.BadArguments, "usage: /me <text>"));
        }

        if (client.CurrentRoom is not { } room)
        {
            return Reply(client, Err(ErrorCodes.NotInRoom, "you are in no room; /join one first"));
        }

        room.Broadcast(encoder.Encode(room.Name + " * " + client.Nick + " " + args), except: client);
        return true;
    }

    private bool Nick(ClientConnection client, string args)
    {
        string nick = args.Trim();
        if (nick.Length == 0)
        {
            return Reply(client, Err(ErrorCodes.BadArguments, "usage: /nick <new>"));
        }

        if (!NickRegistry.IsValid(nick))
        {
            return Reply(client, Err(ErrorCodes.InvalidNick, "nicks are 1-24 of A-Z a-z 0-9 _ - ."));
        }

        string old = client.Nick!;
        if (!nicks.TryRename(client, nick))
        {
            return Reply(client, Err(ErrorCodes.NickTaken, nick + " is taken"));
        }

        client.Send(encoder.Ok("NICK " + nick));
        if (old != nick)
        {
            foreach (var room in client.Rooms)
            {
                Announce(room, old + " is now known as " + nick, client);
            }
        }

        return true;
    }

    private bool History(ClientConnection client, string args)
    {
        string roomArg = string.Empty;
        int count = DefaultHistory;
        var parts = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > 2)
        {
            return Reply(client, Err(ErrorCodes.BadArguments, "usage: /history [room] [n]"));
        }

        foreach (var part in parts)
        {
            // A count is all digits (or a minus and digits, refused); anything else names a room, even "2fast".
            bool negative = part.StartsWith('-');
            if (part.Length > (negative ? 1 : 0) && part.AsSpan(negative ? 1 : 0).ContainsAnyExceptInRange('0', '9') == false)
            {
                if (negative || part.TrimStart('0').Length == 0)
                {
                    return Reply(client, Err(ErrorCodes.BadArguments, "n must be a whole number from 1 to 200"));
                }

                // More than 200 (however many digits) is cut to 200.
                count = part.TrimStart('0').Length > 3 ? MaxHistory : Math.Min(int.Parse(part, CultureInfo.InvariantCulture), MaxHistory);
            }
            else
            {
                roomArg = part;
            }
        }

        if (!TryResolveRoom(client, roomArg, out var room, out var error))
        {
            return Reply(client, error);
        }

        var entries = room.GetHistory(count);
        foreach (var entry in entries)
        {
            string at = entry.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            client.Send(encoder.Encode("HIST " + room.Name + " " + at + " " + entry.Nick + ": " + entry.Text));
        }

        return Reply(client, encoder.Ok(string.Create(CultureInfo.InvariantCulture, $"HISTORY {room.Name} {entries.Length}")));
    }

    private bool Quit(ClientConnection client, string args)
    {
        client.QuitReason = args.Trim();
        client.Send(encoder.Ok("BYE"));
        return false;
    }

    private bool Help(ClientConnection client, string[] rows)
    {
        foreach (var row in rows)
        {
            client.Send(encoder.Encode("HELP " + row));
        }

        return Reply(client, encoder.Ok("HELP"));
    }

    private static readonly string[] AfterLoginHelp =
    [
        "<text>  say something in your current room (//text sends /text)",
        "/join <room>  join a room and make it current",
        "/leave [room]  leave a room (alias /part)",
        "/rooms  list rooms",
        "/who [room]  list a room's members",
        "/msg <#room|nick> <text>  message a room or a person",
        "/me <text>  act in your current room",
        "/nick <new>  change your nick",
        "/history [room] [n]  the last n chat lines (default 20, max 200)",
        "/ping  check the connection",
        "/quit [reason]  leave the server",
    ];

    // After login, a line shaped like a login command is never chat: it would show a password or token to the room.
    // Span-based: this runs for every chat line.
    private static bool LooksLikeLogin(string line)
    {
        var text = line.AsSpan();
        int space = text.IndexOf(' ');
        if (space is < 4 or > 6)
        {
            return false;
        }

        var verb = text[..space];
        var args = text[(space + 1)..];
        if (verb.Equals("AUTH", StringComparison.OrdinalIgnoreCase) || verb.Equals("SIGNUP", StringComparison.OrdinalIgnoreCase))
        {
            return args.Contains('@');
        }

        return verb.Equals("TOKEN", StringComparison.OrdinalIgnoreCase) && args.Count('.') >= 2;
    }
}

using System.Globalization;

namespace TcpChat.Server.Protocol;

/// <summary>
/// Every line the server sends, in the shapes of docs/protocol.md, encoded by <see cref="LineEncoder"/>. Handlers
/// call these instead of formatting text; fixed lines are encoded once here and shared.
/// </summary>
internal sealed class Replies
{
    private static readonly string[] BeforeLoginHelpRows =
    [
        "AUTH <email> <password>  log in (the password may contain spaces)",
        "SIGNUP <email> <password>  create an account",
        "RECOVER <email>  send a password reset email",
        "TOKEN <access-token>  log in with a Supabase access token",
        "QUIT  disconnect",
        "The leading / is optional before login; after it, see HELP again.",
    ];

    private static readonly string[] AfterLoginHelpRows =
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

    private readonly LineEncoder _encoder;

    public Replies(LineEncoder encoder)
    {
        _encoder = encoder;
        Greeting = Notice("tcpchat 1.0 ready. Log in: AUTH <email> <password> | SIGNUP <email> <password> | RECOVER <email> | TOKEN <access-token> | HELP");
        ShutdownNotice = Notice("server shutting down");
        ShuttingDown = Error(ErrorCodes.ShuttingDown, "the server is stopping; goodbye");
        IdleClosing = Notice("idle for too long; closing");
        SlowConsumer = Error(ErrorCodes.SlowConsumer, "you stopped reading and your queue filled up; closing");
        RateLimited = Error(ErrorCodes.RateLimited, "too many lines; slow down (this line was not delivered)");
        SessionExpired = Error(ErrorCodes.SessionExpired, "your session ended (signed out elsewhere, expired, banned or deleted); log in again");
        AuthRequired = Error(ErrorCodes.AuthRequired, "log in first: AUTH <email> <password> (or SIGNUP, RECOVER, TOKEN, HELP)");
        AlreadyAuthenticated = Error(ErrorCodes.AlreadyAuthenticated, "you are already logged in");
        TooManyAttempts = Error(ErrorCodes.TooManyAttempts, "too many failed logins; closing");
        InvalidRoomName = Error(ErrorCodes.InvalidRoomName, "room names are 1-32 of a-z 0-9 _ - after #");
        InvalidNick = Error(ErrorCodes.InvalidNick, "nicks are 1-24 of A-Z a-z 0-9 _ - .");
        NoRoomToSayIn = Error(ErrorCodes.NotInRoom, "you are in no room; /join one first");
        NoCurrentRoom = Error(ErrorCodes.NotInRoom, "you are in no room");
        NoRoomToList = Error(ErrorCodes.NotInRoom, "you are in no room; name one: /who <room>");
        ConfirmationSent = Ok("SIGNUP check your email to confirm, then AUTH");
        RecoverSent = Ok("RECOVER if an account exists for that address, a password reset email is on its way");
        Pong = Ok("PONG");
        Bye = Ok("BYE");
        HelpDone = Ok("HELP");
        HelpBeforeLogin = [.. BeforeLoginHelpRows.Select(row => Encode("HELP " + row))];
        HelpAfterLogin = [.. AfterLoginHelpRows.Select(row => Encode("HELP " + row))];
    }

    /// <summary>The first line on connect.</summary>
    public byte[] Greeting { get; }

    public byte[] ShutdownNotice { get; }

    public byte[] ShuttingDown { get; }

    public byte[] IdleClosing { get; }

    public byte[] SlowConsumer { get; }

    public byte[] RateLimited { get; }

    public byte[] SessionExpired { get; }

    public byte[] AuthRequired { get; }

    public byte[] AlreadyAuthenticated { get; }

    public byte[] TooManyAttempts { get; }

    public byte[] InvalidRoomName { get; }

    public byte[] InvalidNick { get; }

    /// <summary>A chat line or <c>/me</c> without a current room.</summary>
    public byte[] NoRoomToSayIn { get; }

    /// <summary>A command whose room defaults to the current one, without one.</summary>
    public byte[] NoCurrentRoom { get; }

    /// <summary><c>/who</c> without an argument or a current room.</summary>
    public byte[] NoRoomToList { get; }

    public byte[] ConfirmationSent { get; }

    public byte[] RecoverSent { get; }

    public byte[] Pong { get; }

    public byte[] Bye { get; }

    /// <summary>Ends a help listing.</summary>
    public byte[] HelpDone { get; }

    public IReadOnlyList<byte[]> HelpBeforeLogin { get; }

    public IReadOnlyList<byte[]> HelpAfterLogin { get; }

    public byte[] Encode(string line) => _encoder.Encode(line);

    public byte[] Ok(string text) => Encode("OK " + text);

    public byte[] Error(string code, string text) => Encode("ERR " + code + " " + text);

    public byte[] Notice(string text) => Encode("* " + text);

    // ---- errors with details ----
    public byte[] ServerFull(string reason) => Error(ErrorCodes.ServerFull, reason);

    public byte[] LineTooLong(int maxLineBytes) =>
        Error(ErrorCodes.LineTooLong, string.Create(CultureInfo.InvariantCulture, $"lines are limited to {maxLineBytes} bytes; the line was discarded"));

    public byte[] AuthTimeout(TimeSpan timeout) =>
        Error(ErrorCodes.AuthTimeout, string.Create(CultureInfo.InvariantCulture, $"no login within {timeout.TotalSeconds:0.#} s; closing"));

    public byte[] TlsRequired(int tlsPort) =>
        Error(ErrorCodes.TlsRequired, string.Create(CultureInfo.InvariantCulture, $"log in over TLS (port {tlsPort}): credentials must not cross the network in clear text"));

    public byte[] UnknownCommand(string word) => Error(ErrorCodes.UnknownCommand, $"unknown command /{word}; try /help");

    /// <summary><c>ERR BAD_ARGUMENTS</c> for a command the parser refused.</summary>
    public byte[] BadArguments(in Command command) => Error(ErrorCodes.BadArguments, command.Problem == ArgumentProblem.BadCount
        ? $"n must be a whole number from 1 to {CommandParser.MaxHistory}"
        : "usage: " + Usage(command.Verb));

    public byte[] NotIn(string room) => Error(ErrorCodes.NotInRoom, "you are not in " + room);

    public byte[] TooManyRooms(int count) =>
        Error(ErrorCodes.TooManyRooms, string.Create(CultureInfo.InvariantCulture, $"you are in {count} rooms, the most allowed; /leave one first"));

    public byte[] NoSuchUser(string nick) => Error(ErrorCodes.NoSuchUser, "nobody is called " + nick);

    public byte[] NickTaken(string nick) => Error(ErrorCodes.NickTaken, nick + " is taken");

    // ---- replies to one's own commands ----
    public byte[] LoggedIn(string nick) => Ok("AUTH " + nick);

    public byte[] Joined(string room) => Ok("JOIN " + room);

    public byte[] Left(string room) => Ok("LEAVE " + room);

    public byte[] RoomRow(string room, int members) => Encode(string.Create(CultureInfo.InvariantCulture, $"ROOM {room} {members}"));

    public byte[] RoomsDone(int count) => Ok(string.Create(CultureInfo.InvariantCulture, $"ROOMS {count}"));

    public byte[] UserRow(string nick) => Encode("USER " + nick);

    public byte[] WhoDone(string room, int count) => Ok(string.Create(CultureInfo.InvariantCulture, $"WHO {room} {count}"));

    public byte[] MessageSent(string nick) => Ok("MSG " + nick);

    public byte[] NickChanged(string nick) => Ok("NICK " + nick);

    public byte[] HistoryRow(string room, DateTimeOffset at, string nick, string text) =>
        Encode("HIST " + room + " " + at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + " " + nick + ": " + text);

    public byte[] HistoryDone(string room, int count) => Ok(string.Create(CultureInfo.InvariantCulture, $"HISTORY {room} {count}"));

    // ---- room and private lines ----

    /// <summary><c>#room nick: text</c>, encoded once for every member.</summary>
    public byte[] ChatLine(string room, string nick, string text) => Encode(room + " " + nick + ": " + text);

    /// <summary><c>#room * nick text</c> (<c>/me</c>).</summary>
    public byte[] Action(string room, string nick, string text) => Encode(room + " * " + nick + " " + text);

    public byte[] PrivateLine(string from, string text) => Encode("@" + from + ": " + text);

    public byte[] JoinedEvent(string room, string nick) => Presence(room, nick + " joined");

    public byte[] LeftEvent(string room, string nick) => Presence(room, nick + " left");

    /// <summary><c>#room * nick quit</c>, with <c>(reason)</c> unless it is empty.</summary>
    public byte[] QuitEvent(string room, string nick, string reason) => Presence(room, reason.Length == 0 ? nick + " quit" : nick + " quit (" + reason + ")");

    public byte[] RenamedEvent(string room, string oldNick, string newNick) => Presence(room, oldNick + " is now known as " + newNick);

    private byte[] Presence(string room, string text) => Encode(room + " * " + text);

    private static string Usage(Verb verb) => verb switch
    {
        Verb.Auth => "AUTH <email> <password>",
        Verb.Signup => "SIGNUP <email> <password>",
        Verb.Recover => "RECOVER <email>",
        Verb.Token => "TOKEN <access-token>",
        Verb.Reset => "RESET <email> <code> <new-password>",
        Verb.Mfa => "MFA <code>",
        Verb.Guest => "GUEST",
        Verb.Join => "/join <room>",
        Verb.Msg => "/msg <#room|nick> <text>",
        Verb.Me => "/me <text>",
        Verb.Nick => "/nick <new>",
        Verb.History => "/history [room] [n]",
        Verb.Op => "/op [#room] <nick>",
        Verb.Deop => "/deop [#room] <nick>",
        Verb.Kick => "/kick [#room] <nick> [reason]",
        Verb.Ban => "/ban [#room] <nick> [reason]",
        Verb.Unban => "/unban [#room] <nick>",
        Verb.Bans => "/bans [#room]",
        Verb.Password => "/password <new> [code]",
        _ => "/help",
    };
}

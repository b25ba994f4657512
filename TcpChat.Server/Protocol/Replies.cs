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
        "Before login every line is a command (the / may be left out); after login a line without / is chat: type /help then.",
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
        "/topic [#room] [text]  show the topic, or set it (operators)",
        "/op [#room] <nick>, /deop [#room] <nick>  make or unmake an operator (owner, operators)",
        "/kick [#room] <nick> [reason]  put someone out of a room (operators)",
        "/ban [#room] <nick> [reason], /unban [#room] <nick>  keep an account out of a room, or let it back (operators)",
        "/bans [#room]  list a room's bans (operators)",
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
        AreYouThere = Notice("yes, tcpchat is here");
        SlowConsumer = Error(ErrorCodes.SlowConsumer, "you stopped reading and your queue filled up; closing");
        SessionExpired = Error(ErrorCodes.SessionExpired, "your session ended (signed out elsewhere, expired, banned or deleted); log in again");
        AuthRequired = Error(ErrorCodes.AuthRequired, "log in first: AUTH <email> <password> (or SIGNUP, RECOVER, TOKEN, HELP)");
        AlreadyAuthenticated = Error(ErrorCodes.AlreadyAuthenticated, "you are already logged in");
        TooManyAttempts = Error(ErrorCodes.TooManyAttempts, "too many failed logins; closing");
        InvalidRoomName = Error(ErrorCodes.InvalidRoomName, "room names are 1-32 of a-z 0-9 _ - after #");
        InvalidNick = Error(ErrorCodes.InvalidNick, "nicks are 1-24 of A-Z a-z 0-9 _ - .");
        NoRoomToSayIn = Error(ErrorCodes.NotInRoom, "you are in no room; /join one first");
        NoCurrentRoom = Error(ErrorCodes.NotInRoom, "you are in no room");
        NoRoomToList = Error(ErrorCodes.NotInRoom, "you are in no room; name one: /who <room>");
        TooManySessions = Error(ErrorCodes.TooManySessions, "your account has the most sessions allowed; log out elsewhere first; closing");
        NotPermitted = Error(ErrorCodes.NotPermitted, "a room's owner and server operators cannot be kicked, banned or deopped");
        ConfirmationSent = Ok("SIGNUP check your email to confirm, then AUTH");
        RecoverSent = Ok("RECOVER if an account exists for that address, a password reset email is on its way");
        Pong = Ok("PONG");
        Bye = Ok("BYE");
        HelpDone = Ok("HELP");
        HelpBeforeLogin = [.. BeforeLoginHelpRows.Select(row => Encode("HELP " + row))];
        HelpAfterLogin = [.. AfterLoginHelpRows.Select(row => Encode("HELP " + row))];
    }

    /// <summary>The answer to a bare command word typed as a chat line (<c>help</c>): what was meant, and how to send it anyway.</summary>
    public byte[] BareCommandHint(string command, string typed) =>
        Notice($"did you mean {command}? lines without / go to the room; //{typed} sends the text");

    /// <summary>The first line on connect.</summary>
    public byte[] Greeting { get; }

    public byte[] ShutdownNotice { get; }

    public byte[] ShuttingDown { get; }

    public byte[] IdleClosing { get; }

    /// <summary>The answer to telnet's ARE-YOU-THERE (<c>send ayt</c>).</summary>
    public byte[] AreYouThere { get; }

    public byte[] SlowConsumer { get; }

    /// <summary>One answer for a run of <paramref name="count"/> lines refused past the input backlog.</summary>
    public byte[] RateLimited(int count) => Error(
        ErrorCodes.RateLimited,
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? "line" : "lines")} not delivered: you sent faster than the line rate and past the backlog; slow down"));

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

    public byte[] TooManySessions { get; }

    public byte[] NotPermitted { get; }

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

    public byte[] NoSuchRoom(string room) => Error(ErrorCodes.NotInRoom, "there is no room " + room);

    public byte[] NotInThatRoom(string nick, string room) => Error(ErrorCodes.NoSuchUser, nick + " is not in " + room);

    public byte[] NotOperator(string room) => Error(ErrorCodes.NotOperator, "you are not an operator of " + room);

    public byte[] Banned(string room) => Error(ErrorCodes.Banned, "you are banned from " + room);

    public byte[] TooManyOwnedRooms(int max) =>
        Error(ErrorCodes.TooManyOwnedRooms, string.Create(CultureInfo.InvariantCulture, $"you already own {max} rooms, the most allowed; join an existing room"));

    // ---- replies to one's own commands ----
    public byte[] LoggedIn(string nick) => Ok("AUTH " + nick);

    public byte[] Joined(string room) => Ok("JOIN " + room);

    public byte[] Left(string room) => Ok("LEAVE " + room);

    public byte[] RoomRow(string room, int members) => Encode(string.Create(CultureInfo.InvariantCulture, $"ROOM {room} {members}"));

    public byte[] RoomsDone(int count) => Ok(string.Create(CultureInfo.InvariantCulture, $"ROOMS {count}"));

    public byte[] UserRow(string nick) => Encode("USER " + nick);

    /// <summary><c>USER nick owner</c> / <c>USER nick op</c>.</summary>
    public byte[] UserRow(string nick, string role) => Encode("USER " + nick + " " + role);

    public byte[] WhoDone(string room, int count) => Ok(string.Create(CultureInfo.InvariantCulture, $"WHO {room} {count}"));

    public byte[] MessageSent(string nick) => Ok("MSG " + nick);

    public byte[] NickChanged(string nick) => Ok("NICK " + nick);

    public byte[] HistoryRow(string room, DateTimeOffset at, string nick, string text) =>
        Encode("HIST " + room + " " + Iso(at) + " " + nick + ": " + text);

    public byte[] Topic(string room, string text) => Ok("TOPIC " + room + " " + text);

    public byte[] Opped(string room, string nick) => Ok("OP " + room + " " + nick);

    public byte[] Deopped(string room, string nick) => Ok("DEOP " + room + " " + nick);

    public byte[] Kicked(string room, string nick) => Ok("KICK " + room + " " + nick);

    public byte[] BanDone(string room, string nick) => Ok("BAN " + room + " " + nick);

    public byte[] Unbanned(string room, string nick) => Ok("UNBAN " + room + " " + nick);

    public byte[] BanRow(string room, string nick, string byNick, DateTimeOffset at, string reason) =>
        Encode("BAN " + room + " " + nick + " " + byNick + " " + Iso(at) + (reason.Length == 0 ? string.Empty : " " + reason));

    public byte[] BansDone(string room, int count) => Ok(string.Create(CultureInfo.InvariantCulture, $"BANS {room} {count}"));

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

    /// <summary><c>#room * topic: text</c>, right after <c>OK JOIN</c>.</summary>
    public byte[] TopicOnJoin(string room, string text) => Presence(room, "topic: " + text);

    public byte[] TopicSetEvent(string room, string nick, string text) => Presence(room, nick + " set the topic: " + text);

    public byte[] OppedEvent(string room, string byNick, string nick) => Presence(room, byNick + " made " + nick + " an operator");

    public byte[] DeoppedEvent(string room, string byNick, string nick) => Presence(room, byNick + " removed " + nick + " as operator");

    /// <summary><c>#room * bob was kicked by alice (reason)</c>, also for a ban; without <c>(reason)</c> when it is empty.</summary>
    public byte[] KickedEvent(string room, string nick, string byNick, string reason) =>
        Presence(room, nick + " was kicked by " + byNick + (reason.Length == 0 ? string.Empty : " (" + reason + ")"));

    private byte[] Presence(string room, string text) => Encode(room + " * " + text);

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

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
        Verb.Topic => "/topic [#room] [text]",
        Verb.Password => "/password <new> [code]",
        _ => "/help",
    };
}

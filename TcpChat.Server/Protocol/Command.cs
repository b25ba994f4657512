namespace TcpChat.Server.Protocol;

/// <summary>What a client line asks for. Before login only the login verbs, <see cref="Help"/> and <see cref="Quit"/> exist.</summary>
internal enum Verb
{
    /// <summary>An empty line (or spaces only): asks for nothing.</summary>
    Empty,

    /// <summary>A chat line to the current room (<see cref="Command.Text"/>); <c>//text</c> says <c>/text</c>.</summary>
    Say,

    /// <summary>A verb this server does not know (before login: anything but the login verbs).</summary>
    Unknown,

    Auth,
    Signup,
    Recover,
    Token,
    Reset,
    Mfa,
    Guest,
    Help,
    Quit,
    Join,
    Leave,
    Rooms,
    Who,
    Msg,
    Me,
    Nick,
    History,
    Ping,
    Topic,
    Op,
    Deop,
    Kick,
    Ban,
    Unban,
    Bans,
    Password,
}

/// <summary>Why a known verb's arguments were refused (answered <c>ERR BAD_ARGUMENTS</c>).</summary>
internal enum ArgumentProblem
{
    None,

    /// <summary>Missing or extra arguments: the verb's usage is shown.</summary>
    Usage,

    /// <summary><c>/history</c> with a count of 0 or below.</summary>
    BadCount,
}

/// <summary>
/// One parsed client line: the verb and its arguments, as typed (room names are not yet normalized, so the handler
/// decides between <c>INVALID_ROOM_NAME</c> and <c>NOT_IN_ROOM</c>). Unused arguments are empty. A value type: parsing
/// a chat line allocates nothing.
/// </summary>
/// <param name="Verb">What is asked.</param>
/// <param name="Word">The verb as the client typed it (for <c>UNKNOWN_COMMAND</c>).</param>
internal readonly record struct Command(Verb Verb, string Word = "")
{
    /// <summary>A room argument; empty when the verb's room is optional and was left out.</summary>
    public string Room { get; init; } = string.Empty;

    /// <summary>A nick (<c>/nick</c>, <c>/op</c>, <c>/kick</c> ...), or the target of <c>/msg</c> (a nick or a <c>#room</c>).</summary>
    public string Target { get; init; } = string.Empty;

    /// <summary>Free text: a chat line, <c>/me</c>, <c>/msg</c>, a quit or kick reason, a topic.</summary>
    public string Text { get; init; } = string.Empty;

    public string Email { get; init; } = string.Empty;

    /// <summary>A password, access token or one-time code. Never logged.</summary>
    public string Secret { get; init; } = string.Empty;

    /// <summary>A second secret: <c>RESET</c>'s new password, <c>/password</c>'s reauthentication code.</summary>
    public string Secret2 { get; init; } = string.Empty;

    /// <summary><c>/history</c>'s line count (default 20, at most 200).</summary>
    public int Count { get; init; }

    public ArgumentProblem Problem { get; init; }

    public bool IsValid => Problem == ArgumentProblem.None;
}

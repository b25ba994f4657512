namespace TcpChat.Server.Protocol;

/// <summary>The stable <c>ERR</c> codes of docs/protocol.md; the text after a code is for people and may change.</summary>
internal static class ErrorCodes
{
    public const string AuthRequired = "AUTH_REQUIRED";
    public const string AlreadyAuthenticated = "ALREADY_AUTHENTICATED";
    public const string InvalidCredentials = "INVALID_CREDENTIALS";
    public const string EmailNotConfirmed = "EMAIL_NOT_CONFIRMED";
    public const string InvalidToken = "INVALID_TOKEN";
    public const string WeakPassword = "WEAK_PASSWORD";
    public const string InvalidEmail = "INVALID_EMAIL";
    public const string SignupDisabled = "SIGNUP_DISABLED";
    public const string UserExists = "USER_EXISTS";
    public const string RateLimited = "RATE_LIMITED";
    public const string AuthUnavailable = "AUTH_UNAVAILABLE";
    public const string TooManyAttempts = "TOO_MANY_ATTEMPTS";
    public const string AuthTimeout = "AUTH_TIMEOUT";
    public const string SessionExpired = "SESSION_EXPIRED";
    public const string LineTooLong = "LINE_TOO_LONG";
    public const string UnknownCommand = "UNKNOWN_COMMAND";
    public const string BadArguments = "BAD_ARGUMENTS";
    public const string InvalidRoomName = "INVALID_ROOM_NAME";
    public const string NotInRoom = "NOT_IN_ROOM";
    public const string NoSuchUser = "NO_SUCH_USER";
    public const string InvalidNick = "INVALID_NICK";
    public const string NickTaken = "NICK_TAKEN";
    public const string TooManyRooms = "TOO_MANY_ROOMS";
    public const string TooManySessions = "TOO_MANY_SESSIONS";
    public const string NotOperator = "NOT_OPERATOR";
    public const string NotPermitted = "NOT_PERMITTED";
    public const string Banned = "BANNED";

    /// <summary>Ours: a <c>/join</c> that would create a room beyond <c>Chat:MaxOwnedRoomsPerAccount</c>.</summary>
    public const string TooManyOwnedRooms = "TOO_MANY_OWNED_ROOMS";
    public const string SlowConsumer = "SLOW_CONSUMER";
    public const string ServerFull = "SERVER_FULL";
    public const string TlsRequired = "TLS_REQUIRED";
    public const string ShuttingDown = "SHUTTING_DOWN";
}

using System.Net;
using Microsoft.Extensions.Logging;
using TcpChat.Server.Auth;

namespace TcpChat.Server.Chat;

internal static partial class ChatLog
{
    /// <summary>The one event of a successful login (Auth does not log it again).</summary>
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Connection {ConnectionId} logged in as user {UserId} with nick {Nick}")]
    public static partial void LoggedIn(ILogger logger, long connectionId, string userId, string nick);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Connection {ConnectionId} from {RemoteAddress}: login failed ({Failure})")]
    public static partial void LoginFailed(ILogger logger, long connectionId, IPAddress remoteAddress, LoginFailure failure);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Connection {ConnectionId} (user {UserId}) left the chat")]
    public static partial void LoggedOut(ILogger logger, long connectionId, string? userId);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Connection {ConnectionId} closed: Supabase session ended")]
    public static partial void SessionEnded(ILogger logger, long connectionId);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Connection {ConnectionId}: session check failed; retrying later")]
    public static partial void SessionCheckFailed(ILogger logger, long connectionId, Exception exception);
}

using System.Net;
using Microsoft.Extensions.Logging;

namespace TcpChat.Server.Protocol;

internal static partial class CommandLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Connection {ConnectionId} logged in as user {UserId} with nick {Nick}")]
    public static partial void LoggedIn(ILogger logger, long connectionId, string userId, string nick);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Connection {ConnectionId} from {RemoteAddress}: login failed ({Code})")]
    public static partial void LoginFailed(ILogger logger, long connectionId, IPAddress remoteAddress, string code);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Connection {ConnectionId} (user {UserId}) left the chat")]
    public static partial void LoggedOut(ILogger logger, long connectionId, string? userId);
}

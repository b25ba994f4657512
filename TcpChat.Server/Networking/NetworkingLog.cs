using System.Net;
using Microsoft.Extensions.Logging;

namespace TcpChat.Server.Networking;

/// <summary>Log events of the Networking folder (ids 200-299; the program's ids are unique, a unit test checks it).</summary>
internal static partial class NetworkingLog
{
    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Listening on {EndPoint} ({Transport})")]
    public static partial void Listening(ILogger logger, IPEndPoint endPoint, string transport);

    [LoggerMessage(EventId = 202, Level = LogLevel.Debug, Message = "Connection {ConnectionId} accepted from {RemoteEndPoint}")]
    public static partial void Accepted(ILogger logger, long connectionId, IPEndPoint remoteEndPoint);

    [LoggerMessage(EventId = 203, Level = LogLevel.Debug, Message = "Connection {ConnectionId} closed")]
    public static partial void Closed(ILogger logger, long connectionId);

    [LoggerMessage(EventId = 204, Level = LogLevel.Debug, Message = "Connection {ConnectionId}: client gone")]
    public static partial void ClientGone(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(EventId = 205, Level = LogLevel.Error, Message = "Connection {ConnectionId} faulted")]
    public static partial void ConnectionFaulted(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "Connection {ConnectionId} ({Nick}) is a slow consumer; closing it")]
    public static partial void SlowConsumer(ILogger logger, long connectionId, string? nick);

    [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "Refused a connection from {RemoteAddress}: {Reason}")]
    public static partial void Refused(ILogger logger, IPAddress remoteAddress, string reason);

    [LoggerMessage(EventId = 208, Level = LogLevel.Debug, Message = "Connection {ConnectionId}: output not flushed within the shutdown timeout; aborted")]
    public static partial void FlushTimedOut(ILogger logger, long connectionId);

    [LoggerMessage(EventId = 209, Level = LogLevel.Error, Message = "Accept loop on {EndPoint} failed")]
    public static partial void AcceptFailed(ILogger logger, IPEndPoint endPoint, Exception exception);

    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "Shutting down: closing {Count} connections")]
    public static partial void ShuttingDown(ILogger logger, int count);

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "Connection {ConnectionId} closed: {Reason}")]
    public static partial void ClosedForReason(ILogger logger, long connectionId, string reason);

    [LoggerMessage(EventId = 212, Level = LogLevel.Warning, Message = "Shutdown timeout ran out with {Count} connections still closing")]
    public static partial void ShutdownIncomplete(ILogger logger, int count);
}

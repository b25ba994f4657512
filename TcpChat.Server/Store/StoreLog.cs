using Microsoft.Extensions.Logging;

namespace TcpChat.Server.Store;

/// <summary>Log events of the Store folder; event ids are stable, never renumber a shipped one.</summary>
internal static partial class StoreLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Store {Path} open (schema {Version})")]
    public static partial void Opened(ILogger logger, string path, int version);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Store {Path} migrated from schema {From} to {To}")]
    public static partial void Migrated(ILogger logger, string path, int from, int to);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Error, Message = "Writing history to {Path} failed; {Pending} lines kept for the next attempt")]
    public static partial void FlushFailed(ILogger logger, string path, int pending, Exception exception);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Error, Message = "Closing store {Path}: {Lost} history lines could not be written")]
    public static partial void HistoryLost(ILogger logger, string path, int lost, Exception exception);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "Store {Path} closed")]
    public static partial void Closed(ILogger logger, string path);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Information, Message = "Dropped {Count} rooms idle for longer than {Retention}")]
    public static partial void RoomsDropped(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Error, Message = "Dropping idle rooms failed")]
    public static partial void SweepFailed(ILogger logger, Exception exception);
}

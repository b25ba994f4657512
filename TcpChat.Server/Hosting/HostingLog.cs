using Microsoft.Extensions.Logging;

namespace TcpChat.Server.Hosting;

/// <summary>Hosting log events (ids 3001-3099).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "DevAuth not started: logins go to the Supabase project at {SupabaseUrl}")]
    public static partial void DevAuthNotStarted(ILogger logger, string supabaseUrl);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Marking the rooms with members as joined failed; retrying at the next interval")]
    public static partial void RoomTouchFailed(ILogger logger, Exception exception);
}

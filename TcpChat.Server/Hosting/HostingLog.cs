using Microsoft.Extensions.Logging;

namespace TcpChat.Server.Hosting;

/// <summary>Hosting log events (ids 3001-3099).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "DevAuth not started: logins go to the Supabase project at {SupabaseUrl}")]
    public static partial void DevAuthNotStarted(ILogger logger, string supabaseUrl);
}

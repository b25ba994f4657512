using Microsoft.Extensions.Logging;

namespace TcpChat.Server.Hosting;

/// <summary>Hosting log events (ids 3001-3099).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "DevAuth not started: Supabase:Url is configured, logins go to the real project")]
    public static partial void DevAuthNotStarted(ILogger logger);
}

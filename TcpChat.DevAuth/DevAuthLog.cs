using Microsoft.Extensions.Logging;

namespace TcpChat.DevAuth;

/// <summary>DevAuth log events (ids 2001-2099, apart from the chat server's). Never log passwords, tokens, refresh tokens or keys.</summary>
internal static partial class DevAuthLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning,
        Message = "DevAuth: development-only Supabase Auth endpoint listening on {Url}; keys are public, do not expose it")]
    public static partial void Started(ILogger logger, Uri url);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "DevAuth stopped; {UserCount} users saved to {DataPath}")]
    public static partial void Stopped(ILogger logger, int userCount, string dataPath);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "DevAuth loaded {UserCount} users from {DataPath}")]
    public static partial void StoreLoaded(ILogger logger, int userCount, string dataPath);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "DevAuth has no data file at {DataPath} yet; it starts with no users")]
    public static partial void StoreCreated(ILogger logger, string dataPath);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "DevAuth could not save {DataPath}; will retry")]
    public static partial void StoreFlushFailed(ILogger logger, string dataPath, Exception exception);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Debug, Message = "DevAuth user {UserId} signed up")]
    public static partial void SignedUp(ILogger logger, Guid userId);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning,
        Message = "DevAuth refresh token reused outside the reuse interval; session {SessionId} revoked")]
    public static partial void RefreshTokenReused(ILogger logger, Guid sessionId);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "DevAuth admin: user {UserId} {Change}")]
    public static partial void AdminChange(ILogger logger, Guid userId, string change);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Error, Message = "DevAuth request failed; error_id {ErrorId}")]
    public static partial void Unexpected(ILogger logger, string errorId, Exception exception);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning,
        Message = "DevAuth binds {Host}, which is not loopback: anyone who can reach it can create users and tokens")]
    public static partial void NotLoopback(ILogger logger, string host);

    // The code is in the file only, never in the log.
    [LoggerMessage(EventId = 2014, Level = LogLevel.Information, Message = "DevAuth mailed a {MailType} code to an address at {EmailDomain}: {File}")]
    private static partial void MailWrittenTo(ILogger logger, string mailType, string emailDomain, string file);

    /// <summary>Logs the address's domain only, never the address (nor the code).</summary>
    public static void MailWritten(ILogger logger, string mailType, string email, string file)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            string domain = DevAuthEmail.Domain(email);
            MailWrittenTo(logger, mailType, domain, file);
        }
    }

    [LoggerMessage(EventId = 2015, Level = LogLevel.Warning,
        Message = "DevAuth refused a request for host {Host}: not this endpoint's address (DNS rebinding protection)")]
    public static partial void HostRefused(ILogger logger, string host);
}

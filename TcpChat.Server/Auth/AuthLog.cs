using System.Net;
using Microsoft.Extensions.Logging;

namespace TcpChat.Server.Auth;

/// <summary>
/// Log events of the Auth folder; event ids are stable, never renumber a shipped one. Only email domains, user ids,
/// addresses and codes are logged: never a password, access or refresh token, or key.
/// </summary>
internal static partial class AuthLog
{
    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "{Command} failed for {EmailDomain}: {Failure} (Supabase {StatusCode} {SupabaseErrorCode})")]
    public static partial void LoginFailed(ILogger logger, string command, string emailDomain, LoginFailure failure, int statusCode, string? supabaseErrorCode);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Supabase Auth unavailable during {Command}: status {StatusCode} {SupabaseErrorCode}")]
    public static partial void SupabaseUnavailable(ILogger logger, string command, int statusCode, string? supabaseErrorCode, Exception? exception);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "JWKS refreshed from {AuthBase}: {KeyCount} keys")]
    public static partial void JwksRefreshed(ILogger logger, string authBase, int keyCount);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "JWKS refresh failed (status {StatusCode}); keeping the previous keys")]
    public static partial void JwksRefreshFailed(ILogger logger, int statusCode, Exception exception);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "{Command} from {ClientAddress} refused by the per-address login throttle")]
    public static partial void LoginThrottled(ILogger logger, string command, IPAddress clientAddress);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "{Command} refused: too many Supabase calls in flight")]
    public static partial void SupabaseBusy(ILogger logger, string command);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Debug, Message = "TOKEN rejected: {Failure}")]
    public static partial void TokenRejected(ILogger logger, string failure);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Debug, Message = "Session of user {UserId} refreshed")]
    public static partial void SessionRefreshed(ILogger logger, string? userId);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Session refresh failed: {Outcome} (Supabase {StatusCode} {SupabaseErrorCode})")]
    public static partial void RefreshFailed(ILogger logger, RefreshStatus outcome, int statusCode, string? supabaseErrorCode);

    /// <summary>The part after <c>@</c>, for logs that must not hold the address itself.</summary>
    public static string EmailDomain(string email)
    {
        int at = email.LastIndexOf('@');
        return at >= 0 && at < email.Length - 1 ? email[(at + 1)..] : "(no domain)";
    }
}

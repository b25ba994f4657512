namespace TcpChat.Server.Auth;

/// <summary>How a session refresh came out.</summary>
internal enum RefreshStatus
{
    /// <summary>A new session (and refresh token) was issued.</summary>
    Refreshed,

    /// <summary>Supabase says the session or user is gone (revoked, expired, banned, deleted): end the login.</summary>
    Gone,

    /// <summary>Supabase could not answer (outage, timeout, rate limit): try again later.</summary>
    Unavailable,
}

/// <summary>The answer of <see cref="AuthService.RefreshAsync"/>; <see cref="Session"/> is set when refreshed.</summary>
internal readonly record struct RefreshResult(RefreshStatus Status, Session? Session)
{
    public static RefreshResult Refreshed(Session session) => new(RefreshStatus.Refreshed, session);

    public static RefreshResult Gone { get; } = new(RefreshStatus.Gone, null);

    public static RefreshResult Unavailable { get; } = new(RefreshStatus.Unavailable, null);
}

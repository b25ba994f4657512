namespace TcpChat.Server.Auth;

/// <summary>Whether Supabase still vouches for a login.</summary>
internal enum SessionVerdict
{
    Alive,

    /// <summary>Signed out (global scope), revoked, banned, deleted, or a TOKEN login past its <c>exp</c>: end the login.</summary>
    Gone,

    /// <summary>Supabase did not answer: keep the client and ask again later.</summary>
    Unavailable,
}

namespace TcpChat.Server.Auth;

/// <summary>Which sessions <c>POST /logout</c> ends (docs/supabase-auth.md §3.6); named as in Supabase.Gotrue.</summary>
internal enum SignOutScope
{
    /// <summary>Every session of the user, on every device (the server's default).</summary>
    Global,

    /// <summary>Only the session of the access token.</summary>
    Local,

    /// <summary>Every session except the one of the access token.</summary>
    Others,
}

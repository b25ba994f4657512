using System.Net;

namespace TcpChat.Server.Auth;

/// <summary>
/// The login commands of docs/protocol.md and the session checks after login, answered through Supabase Auth. Every method returns a result rather
/// than throwing for an expected failure (<see cref="LoginResult.Failure"/>). <c>client</c> is the end user's address (throttling,
/// <c>Sb-Forwarded-For</c>).
/// </summary>
internal interface IAuthService
{
    /// <summary><c>AUTH email password</c>: the password grant.</summary>
    ValueTask<LoginResult> SignInAsync(string email, string password, IPAddress client, CancellationToken cancellationToken);

    /// <summary><c>SIGNUP email password</c>: a session when the project auto-confirms, else <see cref="LoginResult.ConfirmationSent"/>.</summary>
    ValueTask<LoginResult> SignUpAsync(string email, string password, IPAddress client, CancellationToken cancellationToken);

    /// <summary><c>RECOVER email</c>: success whether or not the account exists; only rate limits and outages fail.</summary>
    ValueTask<LoginResult> RecoverAsync(string email, IPAddress client, CancellationToken cancellationToken);

    /// <summary><c>TOKEN jwt</c>: a Supabase access token verified locally (JWKS or HS256), else with <c>GET /user</c>.</summary>
    ValueTask<LoginResult> VerifyTokenAsync(string accessToken, IPAddress client, CancellationToken cancellationToken);

    /// <summary>The refresh grant for a logged-in session: renewed, gone, or unavailable (retry later).</summary>
    ValueTask<RefreshResult> RefreshAsync(Session session, CancellationToken cancellationToken);

    /// <summary><c>GET /user</c> with the login's access token: is the user still signed in, not banned, not deleted?</summary>
    ValueTask<SessionVerdict> CheckUserAsync(string accessToken, CancellationToken cancellationToken);
}

/// <summary>Who a client is once Supabase has vouched for it.</summary>
/// <param name="UserId">The Supabase user id (<c>sub</c>).</param>
/// <param name="Email">The verified email; the default nick is derived from it.</param>
/// <param name="ExpiresAt">When the access token expires.</param>
/// <param name="Session">The full session (with refresh token) for password logins and signups; null for <c>TOKEN</c>.</param>
internal sealed record AuthIdentity(string UserId, string Email, DateTimeOffset ExpiresAt, Session? Session)
{
    // UTF-8: half the memory of a string, for a value read once every few minutes per connection.
    private readonly byte[]? _accessToken;

    /// <summary>The access token in force (the session's, or the one given to <c>TOKEN</c>). Never logged.</summary>
    public string? AccessToken
    {
        get => _accessToken is null ? null : System.Text.Encoding.UTF8.GetString(_accessToken);
        init => _accessToken = value is null ? null : System.Text.Encoding.UTF8.GetBytes(value);
    }
}

/// <summary>Why a login command failed, in domain terms; the chat layer turns it into an <c>ERR</c> line.</summary>
internal enum LoginFailure
{
    None,

    /// <summary>Wrong email or password (also a malformed email at login).</summary>
    WrongPassword,

    Banned,
    EmailNotConfirmed,

    /// <summary>A bad, expired or foreign access token.</summary>
    InvalidToken,

    /// <summary>Supabase refused the password; <see cref="LoginResult.Detail"/> holds its rule when it gave a plain one.</summary>
    WeakPassword,

    /// <summary>Longer than the 72 bytes bcrypt keeps (refused before asking Supabase).</summary>
    PasswordTooLong,

    InvalidEmail,
    SignupDisabled,
    UserExists,

    /// <summary>Supabase's own rate limit answered.</summary>
    SupabaseRateLimited,

    /// <summary>Our per-address login throttle refused the call.</summary>
    AddressThrottled,

    /// <summary>Supabase unreachable, slow or failing.</summary>
    Unavailable,

    /// <summary>Too many Supabase calls in flight on this server.</summary>
    Busy,
}

/// <summary>The answer to one login command: an identity, a confirmation sent, done (RECOVER), or a failure.</summary>
internal readonly record struct LoginResult(AuthIdentity? Identity, LoginFailure Failure, string? Detail, bool ConfirmationSent)
{
    public bool Succeeded => Failure == LoginFailure.None;

    public static LoginResult SignedIn(AuthIdentity identity) => new(identity, LoginFailure.None, null, false);

    public static LoginResult Confirm() => new(null, LoginFailure.None, null, true);

    public static LoginResult Done() => new(null, LoginFailure.None, null, false);

    public static LoginResult Fail(LoginFailure failure, string? detail = null) => new(null, failure, detail, false);
}

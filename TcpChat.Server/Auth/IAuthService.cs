using System.Net;

namespace TcpChat.Server.Auth;

/// <summary>
/// The login commands of docs/protocol.md, answered through Supabase Auth. Every method returns a result rather
/// than throwing for an expected failure; <see cref="LoginResult.ErrorCode"/> is one of
/// <see cref="Protocol.ErrorCodes"/>. <c>client</c> is the end user's address (throttling,
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

/// <summary>The answer to one login command.</summary>
internal readonly record struct LoginResult(AuthIdentity? Identity, string? ErrorCode, string? ErrorText, bool ConfirmationSent)
{
    public bool Succeeded => ErrorCode is null;

    public static LoginResult SignedIn(AuthIdentity identity) => new(identity, null, null, false);

    public static LoginResult Confirm() => new(null, null, null, true);

    public static LoginResult Done() => new(null, null, null, false);

    public static LoginResult Fail(string errorCode, string errorText) => new(null, errorCode, errorText, false);
}

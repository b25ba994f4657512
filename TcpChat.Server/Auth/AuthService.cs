using System.Threading.RateLimiting;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Reason = TcpChat.Server.Auth.FailureHint.Reason;

namespace TcpChat.Server.Auth;

/// <summary>
/// The login commands, answered through <see cref="SupabaseAuthClient"/> and <see cref="AccessTokenValidator"/>,
/// with every outcome told as a <see cref="LoginFailure"/> (the chat layer words it for the wire). Each Supabase call
/// first passes the per-address throttle (<see cref="LoginFailure.AddressThrottled"/>) and the concurrency cap; a full
/// cap queue is <see cref="LoginFailure.Busy"/> (the server is overloaded, not the client misbehaving). A <c>TOKEN</c> verified locally takes neither: it costs Supabase nothing.
/// Only the caller's cancellation escapes as an exception.
/// </summary>
internal sealed class AuthService : IAuthService
{
    private readonly SupabaseAuthClient _client;
    private readonly AccessTokenValidator _validator;
    private readonly LoginThrottle _throttle;
    private readonly TimeProvider _time;
    private readonly ILogger<AuthService> _logger;

    public AuthService(SupabaseAuthClient client, AccessTokenValidator validator, LoginThrottle throttle, TimeProvider time, ILogger<AuthService> logger)
    {
        _client = client;
        _validator = validator;
        _throttle = throttle;
        _time = time;
        _logger = logger;
    }

    public async ValueTask<LoginResult> SignInAsync(string email, string password, IPAddress client, CancellationToken cancellationToken)
    {
        const string Command = "AUTH";
        var (lease, refused) = await EnterAsync(Command, client, cancellationToken);
        if (lease is null)
        {
            return refused;
        }

        using var call = lease;

        try
        {
            var session = await _client.SignInWithEmailAsync(email, password, client, cancellationToken);
            return SignedIn(Command, session);
        }
        catch (GotrueException e)
        {
            return Failed(Command, email, e, MapLoginFailure(e));
        }
    }

    public async ValueTask<LoginResult> SignUpAsync(string email, string password, IPAddress client, CancellationToken cancellationToken)
    {
        const string Command = "SIGNUP";

        // bcrypt's limit is 72 bytes (AUTH-CONTRACT.md §7): answer without spending a Supabase call.
        if (Encoding.UTF8.GetByteCount(password) > 72)
        {
            return LoginResult.Fail(LoginFailure.PasswordTooLong);
        }

        var (lease, refused) = await EnterAsync(Command, client, cancellationToken);
        if (lease is null)
        {
            return refused;
        }

        using var call = lease;

        try
        {
            var session = await _client.SignUpWithEmailAsync(email, password, client, cancellationToken);
            if (session.AccessToken is { Length: > 0 })
            {
                return SignedIn(Command, session);
            }

            // Confirmation required, or an obfuscated user (identities: []) for an existing confirmed email:
            // the same answer for both, so SIGNUP does not reveal whether the address has an account.
            return LoginResult.Confirm();
        }
        catch (GotrueException e)
        {
            return Failed(Command, email, e, MapSignUpFailure(e));
        }
    }

    public async ValueTask<LoginResult> RecoverAsync(string email, IPAddress client, CancellationToken cancellationToken)
    {
        const string Command = "RECOVER";
        var (lease, refused) = await EnterAsync(Command, client, cancellationToken);
        if (lease is null)
        {
            return refused;
        }

        using var call = lease;

        try
        {
            await _client.ResetPasswordForEmailAsync(email, client, cancellationToken);
        }
        catch (GotrueException e) when (e.StatusCode == 0 && !e.TimedOut)
        {
            // Unreachable: the same for every address, so saying so reveals nothing.
            AuthLog.SupabaseUnavailable(_logger, Command, e.StatusCode, e.ErrorCode, e.InnerException);
            return Unavailable();
        }
        catch (GotrueException e)
        {
            // A known address can fail where an unknown one cannot (429 mail window, 400 not authorized, 500 SMTP,
            // a slow send timing out): answer exactly as for success (AUTH-CONTRACT.md §3.4).
            if (_logger.IsEnabled(LogLevel.Information))
            {
                var domain = AuthLog.EmailDomain(email);
                AuthLog.LoginFailed(_logger, Command, domain, LoginFailure.None, e.StatusCode, e.ErrorCode); // answered as a success
            }
        }

        return LoginResult.Done();
    }

    public async ValueTask<LoginResult> VerifyTokenAsync(string accessToken, IPAddress client, CancellationToken cancellationToken)
    {
        const string Command = "TOKEN";
        TokenCheck check;
        try
        {
            check = await _validator.ValidateAsync(accessToken, cancellationToken);
        }
        catch (GotrueException e)
        {
            AuthLog.SupabaseUnavailable(_logger, Command, e.StatusCode, e.ErrorCode, e.InnerException);
            return Unavailable();
        }

        switch (check.Status)
        {
            case TokenCheckStatus.Valid:
                return LoginResult.SignedIn(new AuthIdentity(check.UserId!, check.Email ?? string.Empty, check.ExpiresAt, null) { AccessToken = accessToken });
            case TokenCheckStatus.Invalid:
                AuthLog.TokenRejected(_logger, check.Failure ?? "invalid");
                return InvalidToken();
        }

        // No local keys (legacy HS256 project without Supabase:JwtSecret): only GET /user can tell.
        if (!TryReadExpiry(accessToken, out var expiresAt))
        {
            return InvalidToken();
        }

        var (lease, refused) = await EnterAsync(Command, client, cancellationToken);
        if (lease is null)
        {
            return refused;
        }

        using var call = lease;

        try
        {
            var user = await _client.GetUserAsync(accessToken, cancellationToken);
            return LoginResult.SignedIn(new AuthIdentity(user.Id!, user.Email ?? string.Empty, expiresAt, null) { AccessToken = accessToken });
        }
        catch (GotrueException e)
        {
            var result = e switch
            {
                { StatusCode: 0 or >= 500 } => Unavailable(),
                { StatusCode: 429 } => LoginResult.Fail(LoginFailure.SupabaseRateLimited),

                // GoTrue's own refusals carry an error code (bad_jwt, session_not_found, user_not_found, user_banned …);
                // a code-less 4xx is the gateway (a wrong apikey): our problem, not the token's.
                { ErrorCode: not null } => InvalidToken(),
                _ => Unavailable(),
            };
            return Failed(Command, "(token)", e, result);
        }
    }

    /// <summary>
    /// The refresh grant for a logged-in client's session: a new session, <see cref="RefreshStatus.Gone"/> when Supabase
    /// says the session or user no longer exists, else <see cref="RefreshStatus.Unavailable"/> (retry later).
    /// Not throttled per address (it is the server's own call), but it takes a concurrency slot.
    /// </summary>
    public async ValueTask<RefreshResult> RefreshAsync(Session session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (string.IsNullOrEmpty(session.RefreshToken))
        {
            return RefreshResult.Gone;
        }

        using var lease = await _throttle.AcquireCallAsync(cancellationToken);
        if (!lease.IsAcquired)
        {
            return RefreshResult.Unavailable;
        }

        try
        {
            var refreshed = await _client.RefreshAccessTokenAsync(session.RefreshToken, cancellationToken);
            AuthLog.SessionRefreshed(_logger, refreshed.User?.Id);
            return RefreshResult.Refreshed(refreshed);
        }
        catch (GotrueException e)
        {
            var result = IsGone(e) ? RefreshResult.Gone : RefreshResult.Unavailable;
            AuthLog.RefreshFailed(_logger, result.Status, e.StatusCode, e.ErrorCode);
            return result;
        }
    }

    /// <summary>
    /// Asks Supabase whether a login is still live (<c>GET /user</c>): the only way to see a sign-out elsewhere, a ban or
    /// a deletion before the access token expires.
    /// </summary>
    public async ValueTask<SessionVerdict> CheckUserAsync(string accessToken, CancellationToken cancellationToken)
    {
        using var lease = await _throttle.AcquireCallAsync(cancellationToken);
        if (!lease.IsAcquired)
        {
            return SessionVerdict.Unavailable;
        }

        try
        {
            await _client.GetUserAsync(accessToken, cancellationToken);
            return SessionVerdict.Alive;
        }
        catch (GotrueException e)
        {
            // bad_jwt: the access token itself is no longer valid (expired, or signed by a revoked key).
            bool gone = IsGone(e) || (e.StatusCode is 401 or 403 && e.ErrorCode is "bad_jwt" or "no_authorization");
            AuthLog.RefreshFailed(_logger, gone ? RefreshStatus.Gone : RefreshStatus.Unavailable, e.StatusCode, e.ErrorCode);
            return gone ? SessionVerdict.Gone : SessionVerdict.Unavailable;
        }
    }

    internal static bool IsGone(GotrueException e) => e.StatusCode is >= 400 and < 500 and not 429 && (e.ErrorCode switch
    {
        "refresh_token_not_found" or "refresh_token_already_used" or "session_not_found" or "session_expired"
            or "user_banned" or "user_not_found" => true,
        _ => e.Reason is Reason.InvalidRefreshToken or Reason.ExpiredRefreshToken or Reason.UserBanned,
    });

    /// <summary>AUTH: the password grant's failures.</summary>
    internal static LoginResult MapLoginFailure(GotrueException e) => Common(e) ?? e.Reason switch
    {
        Reason.UserBadLogin => LoginResult.Fail(LoginFailure.WrongPassword),
        Reason.UserBanned => LoginResult.Fail(LoginFailure.Banned),
        Reason.UserEmailNotConfirmed => LoginResult.Fail(LoginFailure.EmailNotConfirmed),

        // The grant does not validate the email format, but a validation failure about input is still the user's.
        Reason.UserBadEmailAddress or Reason.UserMissingInformation => LoginResult.Fail(LoginFailure.WrongPassword),
        _ => Unavailable(),
    };

    /// <summary>SIGNUP: the sign-up's failures.</summary>
    internal static LoginResult MapSignUpFailure(GotrueException e) => Common(e) ?? e.Reason switch
    {
        Reason.UserBadPassword => LoginResult.Fail(LoginFailure.WeakPassword, WeakPasswordRule(e)),
        Reason.UserBadEmailAddress => LoginResult.Fail(LoginFailure.InvalidEmail),
        Reason.SignupDisabled => LoginResult.Fail(LoginFailure.SignupDisabled),
        Reason.UserAlreadyRegistered => LoginResult.Fail(LoginFailure.UserExists),
        _ => Unavailable(),
    };

    /// <summary>Outages and rate limits, the same for every command; null when the answer is the user's own failure.</summary>
    private static LoginResult? Common(GotrueException e)
    {
        // A non-JSON body still counts as GoTrue's answer when the x-sb-error-code header names the error.
        if (e.StatusCode == 0 || e.StatusCode >= 500 || (e.NotJson && e.ErrorCode is null) || e.IsGatewayError)
        {
            return Unavailable();
        }

        if (e.StatusCode == 429 || e.Reason == Reason.UserTooManyRequests)
        {
            return LoginResult.Fail(LoginFailure.SupabaseRateLimited);
        }

        return null;
    }

    // GoTrue's message names the rule ("Password should be at least 6 characters."); kept if it is plain text.
    private static string? WeakPasswordRule(GotrueException e) =>
        e.ErrorMessage is { Length: > 0 and <= 200 } message && message.All(c => c >= ' ' && c < 0x7F) ? message : null;

    private static LoginResult Unavailable() => LoginResult.Fail(LoginFailure.Unavailable);

    private static LoginResult InvalidToken() => LoginResult.Fail(LoginFailure.InvalidToken);

    /// <summary>
    /// The gate before every call to Supabase for a client: the per-address login throttle, then a slot among the
    /// concurrent calls. Returns the slot to hold for the call, or the refusal to answer.
    /// </summary>
    private async ValueTask<(RateLimitLease? Lease, LoginResult Refused)> EnterAsync(string command, IPAddress client, CancellationToken cancellationToken)
    {
        if (Admit(command, client) is { } refused)
        {
            return (null, refused);
        }

        var lease = await _throttle.AcquireCallAsync(cancellationToken);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            return (null, Busy(command));
        }

        return (lease, default);
    }

    private LoginResult? Admit(string command, IPAddress client)
    {
        if (_throttle.TryAcquireLogin(client))
        {
            return null;
        }

        AuthLog.LoginThrottled(_logger, command, client);
        return LoginResult.Fail(LoginFailure.AddressThrottled);
    }

    private LoginResult Busy(string command)
    {
        AuthLog.SupabaseBusy(_logger, command);
        return LoginResult.Fail(LoginFailure.Busy);
    }

    private LoginResult SignedIn(string command, Session session)
    {
        var user = session.User;
        string? userId = user?.Id;
        string? email = user?.Email;
        if (userId is null)
        {
            // The token came straight from Supabase over the call we made: reading its claims is enough.
            try
            {
                var jwt = new JsonWebToken(session.AccessToken);
                userId = jwt.Subject;
                jwt.TryGetPayloadValue("email", out email);
            }
            catch (ArgumentException)
            {
                userId = null;
            }

            if (string.IsNullOrEmpty(userId))
            {
                AuthLog.SupabaseUnavailable(_logger, command, 200, null, null);
                return Unavailable();
            }
        }

        var expiresAt = session.ExpiresAt > 0
            ? DateTimeOffset.FromUnixTimeSeconds(session.ExpiresAt)
            : _time.GetUtcNow().AddSeconds(session.ExpiresIn > 0 ? session.ExpiresIn : 3600);
        return LoginResult.SignedIn(new AuthIdentity(userId, email ?? string.Empty, expiresAt, session.ForKeeping()) { AccessToken = session.AccessToken });
    }

    private LoginResult Failed(string command, string email, GotrueException e, LoginResult result)
    {
        if (result.Failure == LoginFailure.Unavailable)
        {
            AuthLog.SupabaseUnavailable(_logger, command, e.StatusCode, e.ErrorCode, e.StatusCode == 0 ? e.InnerException : null);
        }
        else if (_logger.IsEnabled(LogLevel.Information))
        {
            var domain = email == "(token)" ? email : AuthLog.EmailDomain(email);
            AuthLog.LoginFailed(_logger, command, domain, result.Failure, e.StatusCode, e.ErrorCode);
        }

        return result;
    }

    private static bool TryReadExpiry(string token, out DateTimeOffset expiresAt)
    {
        expiresAt = default;
        try
        {
            var jwt = new JsonWebToken(token);
            if (jwt.ValidTo == DateTime.MinValue)
            {
                return false;
            }

            expiresAt = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TcpChat.DevAuth;

/// <summary>
/// The GoTrue routes under <c>/auth/v1</c> (docs/supabase-auth.md §3): checks run in GoTrue's order so that clients
/// see the same error for the same request. This file holds the user-facing routes; the gateway (apikey,
/// unexpected errors) and the admin API are in the other parts.
/// </summary>
internal sealed partial class DevAuthApi(
    DevAuthOptions options,
    DevAuthUserStore users,
    DevAuthSessionStore sessions,
    DevAuthTokenIssuer tokens,
    DevAuthRateLimits limits,
    DevAuthMailbox mailbox,
    DevAuthHostFilter hosts,
    TimeProvider time,
    ILogger logger)
{
    public const string Prefix = "/auth/v1";

    private readonly TaskCompletionSource<string> _issuer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Called once the port is bound: the issuer is <c>{root}/auth/v1</c>, which needs the real port.</summary>
    public void SetRoot(Uri root) => _issuer.TrySetResult(root.AbsoluteUri.TrimEnd('/') + Prefix);

    public void Map(IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup(Prefix);
        auth.MapPost("/token", (Delegate)TokenAsync);
        auth.MapPost("/signup", (Delegate)SignUpAsync);
        auth.MapPost("/recover", (Delegate)RecoverAsync);
        auth.MapGet("/user", (Delegate)GetUserAsync);
        auth.MapPost("/logout", (Delegate)LogoutAsync);
        MapAccount(auth);
        MapFactors(auth);
        MapMailbox(auth);
        auth.MapGet("/settings", Settings);
        auth.MapGet("/health", Health);
        auth.MapGet(JwksPath, Jwks);
        MapAdmin(auth);
    }

    private string Issuer => _issuer.Task.Result;

    private async Task<IResult> TokenAsync(HttpContext context)
    {
        if (!DevAuthRateLimits.TryAcquire(limits.Token, ClientKey(context)))
        {
            return DevAuthError.RequestRateLimit();
        }

        return context.Request.Query["grant_type"].ToString() switch
        {
            "password" => await PasswordGrantAsync(context),
            "refresh_token" => await RefreshGrantAsync(context),
            _ => DevAuthError.BadRequest("invalid_credentials", "unsupported_grant_type"),
        };
    }

    private async Task<IResult> PasswordGrantAsync(HttpContext context)
    {
        var (request, error) = await ReadJsonAsync<PasswordRequest>(context);
        if (error is not null)
        {
            return error;
        }

        var email = request.Email ?? "";
        var phone = request.Phone ?? "";
        if (email.Length > 0 && phone.Length > 0)
        {
            return DevAuthError.Validation("Only an email address or phone number should be provided on login.");
        }

        if (email.Length == 0 && phone.Length == 0)
        {
            return DevAuthError.Validation("missing email or phone");
        }

        // No phone users exist here, so a phone login finds nobody, as in GoTrue. Nobody found still costs one password
        // hash, so the answer time does not tell a registered address from an unknown one.
        var user = email.Length > 0 ? users.FindByEmail(DevAuthEmail.Normalize(email)) : null;
        if (user is null || !user.HasPassword)
        {
            DevAuthPasswords.VerifyNobody(request.Password ?? "", options.PasswordHashIterations);
            return DevAuthError.InvalidCredentials();
        }

        var now = time.GetUtcNow();
        if (user.IsBanned(now))
        {
            return DevAuthError.BadRequest("user_banned", "User is banned");
        }

        if (!DevAuthPasswords.Verify(request.Password ?? "", user))
        {
            return DevAuthError.InvalidCredentials();
        }

        // Only after the password: an unconfirmed account is not revealed to someone without it.
        return user.ConfirmedAt is null ? DevAuthError.BadRequest("email_not_confirmed", "Email not confirmed") : SignIn(user, now, "password");
    }

    private async Task<IResult> RefreshGrantAsync(HttpContext context)
    {
        var (request, error) = await ReadJsonAsync<RefreshRequest>(context);
        if (error is not null)
        {
            return error;
        }

        var refreshToken = request.RefreshToken ?? "";
        if (refreshToken.Length == 0)
        {
            // One of the few OAuth-style (shape D) errors GoTrue still sends.
            return Results.Json(new JsonObject { ["error"] = "invalid_request", ["error_description"] = "refresh_token required" },
                DevAuthJson.Options, statusCode: StatusCodes.Status400BadRequest);
        }

        if (refreshToken.Length < DevAuthSessionStore.MinTokenLength || !RefreshTokenShape().IsMatch(refreshToken))
        {
            return DevAuthError.Validation("Refresh token is not valid");
        }

        var notFound = DevAuthError.BadRequest("refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
        var user = sessions.FindUserOfToken(refreshToken) is { } userId ? users.Find(userId) : null;
        if (user is null)
        {
            return notFound;
        }

        var now = time.GetUtcNow();
        if (user.IsBanned(now))
        {
            return DevAuthError.BadRequest("user_banned", "Invalid Refresh Token: User Banned");
        }

        var result = sessions.Refresh(refreshToken, TimeSpan.FromSeconds(options.RefreshTokenReuseIntervalSeconds));
        switch (result.Status)
        {
            case DevAuthRefreshStatus.Rotated or DevAuthRefreshStatus.Reused:
                return TokenResponse(user, result.Session!, now);
            case DevAuthRefreshStatus.AlreadyUsed:
                DevAuthLog.RefreshTokenReused(logger, result.Session!.Id);
                return DevAuthError.BadRequest("refresh_token_already_used", "Invalid Refresh Token: Already Used");
            default:
                return notFound;
        }
    }

    private async Task<IResult> SignUpAsync(HttpContext context)
    {
        var (request, error) = await ReadJsonAsync<SignUpRequest>(context);
        if (error is not null)
        {
            return error;
        }

        // GoTrue's router: neither email nor phone is an anonymous sign-in, before the signup limiter.
        if (string.IsNullOrEmpty(request.Email) && string.IsNullOrEmpty(request.Phone))
        {
            return SignInAnonymously(context, request.Data);
        }

        if (!DevAuthRateLimits.TryAcquire(limits.Signup, ClientKey(context)))
        {
            return DevAuthError.RequestRateLimit();
        }

        // GoTrue checks the password before the address, so a weak password always wins.
        if (string.IsNullOrEmpty(request.Password))
        {
            return DevAuthError.Validation("Signup requires a valid password");
        }

        if (DevAuthPasswords.CheckStrength(request.Password) is { } weak)
        {
            return weak;
        }

        if (!string.IsNullOrEmpty(request.Phone))
        {
            return string.IsNullOrEmpty(request.Email)
                ? DevAuthError.Unprocessable("phone_provider_disabled", "Phone signups are disabled")
                : DevAuthError.Validation("Only an email address or phone number should be provided on signup.");
        }

        if (DevAuthEmail.Validate(request.Email, "An email address is required", out var email) is { } invalid)
        {
            return invalid;
        }

        if (DevAuthError.UnlessMetadata(request.Data, "SignupParams") is { } badData)
        {
            return badData;
        }

        var metadata = DevAuthUser.Metadata(request.Data);
        var now = time.GetUtcNow();
        var user = users.FindByEmail(email);
        if (user is null)
        {
            // Hash outside any lock: it is the expensive part of a signup.
            var (salt, hash) = DevAuthPasswords.Hash(request.Password, options.PasswordHashIterations);
            var created = new DevAuthUser
            {
                Id = Guid.NewGuid(),
                IdentityId = Guid.NewGuid(),
                Email = email,
                PasswordHash = hash,
                PasswordSalt = salt,
                PasswordIterations = options.PasswordHashIterations,
                ConfirmedAt = options.AutoConfirm ? now : null,
                CreatedAt = now,
                UpdatedAt = now,
                UserMetadata = metadata,
            };
            user = users.AddOrGetExisting(created, out var added);
            if (added)
            {
                DevAuthLog.SignedUp(logger, user.Id);
                if (options.AutoConfirm)
                {
                    return SignIn(user, now, "password");
                }

                var sent = await SendCodeAsync(user, DevAuthMailType.Signup, email, now, context.RequestAborted);
                return Json(DevAuthJson.User(sent ?? user));
            }
        }

        // As long as a new signup's hash: the answer time must not tell that the address is registered.
        DevAuthPasswords.VerifyNobody(request.Password, options.PasswordHashIterations);
        return await SignUpExistingAsync(user, metadata, now, context.RequestAborted);
    }

    /// <summary>GoTrue's answers for an address that is already registered (docs/supabase-auth.md §3.3).</summary>
    private async Task<IResult> SignUpExistingAsync(DevAuthUser user, JsonElement metadata, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (user.ConfirmedAt is not null)
        {
            return options.AutoConfirm
                ? DevAuthError.Unprocessable("user_already_exists", "User already registered")
                : Json(DevAuthJson.ObfuscatedUser(user.Email, metadata, now));
        }

        if (options.AutoConfirm)
        {
            // Autoconfirm turned on after this user signed up: GoTrue confirms and signs in.
            var confirmed = users.Update(user.Id, u => u.ConfirmedAt is null ? u with { ConfirmedAt = now, UpdatedAt = now } : u);
            return confirmed is null ? DevAuthError.InvalidCredentials() : SignIn(confirmed, now, "password");
        }

        var wait = EmailWaitSeconds(user.ConfirmationSentAt, now);
        if (wait > 0)
        {
            return DevAuthError.EmailRateLimit(wait);
        }

        var resent = await SendCodeAsync(user, DevAuthMailType.Signup, user.Email, now, cancellationToken);
        return resent is null ? DevAuthError.InvalidCredentials() : Json(DevAuthJson.User(resent));
    }

    private async Task<IResult> RecoverAsync(HttpContext context)
    {
        if (!DevAuthRateLimits.TryAcquire(limits.Recover, ClientKey(context)))
        {
            return DevAuthError.RequestRateLimit();
        }

        var (request, error) = await ReadJsonAsync<RecoverRequest>(context);
        if (error is not null)
        {
            return error;
        }

        if (DevAuthEmail.Validate(request.Email, "Password recovery requires an email", out var email) is { } invalid)
        {
            return invalid;
        }

        var user = users.FindByEmail(email);
        if (user is null)
        {
            // Same answer as for a known address: recovery must not reveal who is registered.
            return Json(new JsonObject());
        }

        var now = time.GetUtcNow();
        var wait = EmailWaitSeconds(user.RecoverySentAt, now);
        if (wait > 0)
        {
            return DevAuthError.EmailRateLimit(wait);
        }

        await SendCodeAsync(user, DevAuthMailType.Recovery, email, now, context.RequestAborted);
        return Json(new JsonObject());
    }

    private async Task<IResult> GetUserAsync(HttpContext context)
    {
        var auth = await AuthenticateAsync(context);
        return auth.Error ?? Json(DevAuthJson.User(auth.User!));
    }

    private async Task<IResult> LogoutAsync(HttpContext context)
    {
        var auth = await AuthenticateAsync(context);
        if (auth.Error is not null)
        {
            return auth.Error;
        }

        var scope = context.Request.Query["scope"].ToString();
        switch (scope)
        {
            case "" or "global":
                sessions.RemoveUserSessions(auth.User!.Id);
                break;
            case "local":
                sessions.Remove(auth.SessionId);
                break;
            case "others":
                sessions.RemoveUserSessions(auth.User!.Id, keep: auth.SessionId);
                break;
            default:
                return DevAuthError.Validation($"Unsupported logout scope \"{scope}\"");
        }

        return Results.NoContent();
    }

    private IResult Settings() => Json(new JsonObject
    {
        ["external"] = new JsonObject { ["email"] = true, ["phone"] = false, ["anonymous_users"] = options.AllowAnonymous },
        ["disable_signup"] = false,
        ["mailer_autoconfirm"] = options.AutoConfirm,
        ["phone_autoconfirm"] = false,
        ["sms_provider"] = "",
        ["saml_enabled"] = false,
        ["saml_private_key_next_configured"] = false,
        ["passkeys_enabled"] = false,
    });

    private static IResult Health() => Json(new JsonObject
    {
        ["version"] = "v2.0.0-tcpchat-devauth",
        ["name"] = "GoTrue",
        ["description"] = "GoTrue is a user registration and authentication API",
    });

    private IResult Jwks(HttpContext context)
    {
        context.Response.Headers.CacheControl = "public, max-age=600";
        return Json(tokens.Jwks());
    }

    /// <summary>A new session; <paramref name="method"/> is its <c>amr</c> (password, otp, anonymous).</summary>
    private IResult SignIn(DevAuthUser user, DateTimeOffset now, string method)
    {
        user = users.Update(user.Id, u => u with { LastSignInAt = now, UpdatedAt = now }) ?? user;
        return TokenResponse(user, sessions.Create(user.Id, method), now);
    }

    private IResult TokenResponse(DevAuthUser user, DevAuthSession session, DateTimeOffset now)
    {
        var expiresAt = now.AddSeconds(options.AccessTokenLifetimeSeconds);
        var accessToken = tokens.Issue(user, session, Issuer, now, expiresAt);
        return Json(DevAuthJson.AccessTokenResponse(accessToken, now, expiresAt, session.RefreshToken, user));
    }

    /// <summary>GoTrue's <c>requireAuthentication</c>: Bearer, signature, expiry, user, session, ban — in that order.</summary>
    private async Task<Authenticated> AuthenticateAsync(HttpContext context)
    {
        var match = BearerHeader().Match(context.Request.Headers.Authorization.ToString());
        if (!match.Success)
        {
            return new(null, default, NoAuthorization());
        }

        var result = await tokens.ValidateAsync(match.Groups[1].Value, Issuer);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return new(null, default, BadJwt(Describe(result.Exception)));
        }

        var now = time.GetUtcNow();
        if (!jwt.TryGetPayloadValue<long>("exp", out var exp) || DateTimeOffset.FromUnixTimeSeconds(exp) <= now)
        {
            return new(null, default, BadJwt("token has invalid claims: token is expired"));
        }

        if (!Guid.TryParse(jwt.Subject, out var userId))
        {
            return new(null, default, DevAuthError.Forbidden("bad_jwt", "invalid claim: missing sub claim"));
        }

        var user = users.Find(userId);
        if (user is null)
        {
            return new(null, default, DevAuthError.UserFromTokenGone());
        }

        if (!jwt.TryGetPayloadValue<string>("session_id", out var sessionClaim)
            || !Guid.TryParse(sessionClaim, out var sessionId) || sessions.Find(sessionId) is not { } session)
        {
            return new(null, default, DevAuthError.Forbidden("session_not_found", "Session from session_id claim in JWT does not exist"));
        }

        return user.IsBanned(now)
            ? new(null, default, DevAuthError.Forbidden("user_banned", "User is banned"))
            : new(user, session, null);
    }

    private static DevAuthError NoAuthorization() =>
        new(StatusCodes.Status401Unauthorized, "no_authorization", "This endpoint requires a valid Bearer token");

    private static DevAuthError BadJwt(string reason) =>
        DevAuthError.Forbidden("bad_jwt", "invalid JWT: unable to parse or verify signature, " + reason);

    // Our own wording: the library's messages may embed token contents.
    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenMalformedException => "token is malformed",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "token signature is invalid",
        SecurityTokenInvalidAlgorithmException => "signing method is invalid",
        SecurityTokenInvalidIssuerException => "token has invalid issuer",
        SecurityTokenInvalidAudienceException => "token has invalid audience",
        _ => "token is invalid",
    };

    /// <summary>Seconds until the per-user mail window (<c>SMTP_MAX_FREQUENCY</c>) allows another mail; 0 = now.</summary>
    private int EmailWaitSeconds(DateTimeOffset? lastSent, DateTimeOffset now)
    {
        if (lastSent is not { } sent)
        {
            return 0;
        }

        var remaining = sent.AddSeconds(options.EmailMaxFrequencySeconds) - now;
        return remaining > TimeSpan.Zero ? (int)Math.Ceiling(remaining.TotalSeconds) : 0;
    }

    private static IResult Json(JsonNode body, int status = StatusCodes.Status200OK) =>
        Results.Json(body, DevAuthJson.Options, statusCode: status);

    // GoTrue: ^(?:B|b)earer (\S+$)
    [GeneratedRegex(@"^[Bb]earer (\S+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex BearerHeader();

    // Our tokens are base64url; anything else cannot be one (GoTrue: "fails to parse").
    [GeneratedRegex(@"^[A-Za-z0-9_-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex RefreshTokenShape();

    private readonly record struct Authenticated(DevAuthUser? User, DevAuthSession? Session, DevAuthError? Error)
    {
        public Guid SessionId => Session?.Id ?? Guid.Empty;
    }

    private sealed class PasswordRequest
    {
        [JsonPropertyName("email")] public string? Email { get; init; }

        [JsonPropertyName("phone")] public string? Phone { get; init; }

        [JsonPropertyName("password")] public string? Password { get; init; }
    }

    private sealed class RefreshRequest
    {
        [JsonPropertyName("refresh_token")] public string? RefreshToken { get; init; }
    }

    private sealed class SignUpRequest
    {
        [JsonPropertyName("email")] public string? Email { get; init; }

        [JsonPropertyName("phone")] public string? Phone { get; init; }

        [JsonPropertyName("password")] public string? Password { get; init; }

        [JsonPropertyName("data")] public JsonElement? Data { get; init; }
    }

    private sealed class RecoverRequest
    {
        [JsonPropertyName("email")] public string? Email { get; init; }
    }
}

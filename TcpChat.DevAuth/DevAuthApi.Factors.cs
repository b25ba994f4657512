using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OtpNet;
using QRCoder;

namespace TcpChat.DevAuth;

/// <summary>
/// TOTP multi-factor authentication under <c>/factors</c>, as GoTrue's internal/api/mfa.go: enrol (an unverified factor
/// and its secret), challenge, verify (the factor becomes verified and the session aal2), unenrol.
/// </summary>
internal sealed partial class DevAuthApi
{
    /// <summary>GoTrue's defaults: <c>MFA_MAX_ENROLLED_FACTORS</c>, <c>MFA_CHALLENGE_EXPIRY_DURATION</c>.</summary>
    private const int MaxFactors = 10;
    private static readonly TimeSpan ChallengeLifetime = TimeSpan.FromSeconds(300);

    /// <summary>Open challenges, in memory like sessions: a restart simply asks for a new one.</summary>
    private readonly ConcurrentDictionary<Guid, FactorChallenge> _challenges = new();

    private void MapFactors(RouteGroupBuilder auth)
    {
        auth.MapPost("/factors", (Delegate)EnrollFactorAsync);
        auth.MapPost("/factors/{factorId}/challenge", (Delegate)ChallengeFactorAsync);
        auth.MapPost("/factors/{factorId}/verify", (Delegate)VerifyFactorAsync);
        auth.MapDelete("/factors/{factorId}", (Delegate)UnenrollFactorAsync);
    }

    private async Task<IResult> EnrollFactorAsync(HttpContext context)
    {
        var auth = await AuthenticateFactorUserAsync(context);
        if (auth.Error is not null)
        {
            return auth.Error;
        }

        var (request, error) = await ReadJsonAsync<EnrollRequest>(context);
        if (error is not null)
        {
            return error;
        }

        switch (request.FactorType)
        {
            case "totp":
                break;
            case "phone":
                return DevAuthError.Unprocessable("mfa_phone_enroll_not_enabled", "MFA enroll is disabled for Phone");
            case "webauthn":
                return DevAuthError.Unprocessable("mfa_webauthn_enroll_not_enabled", "MFA enroll is disabled for WebAuthn");
            default:
                return DevAuthError.Validation("factor_type needs to be totp, phone, or webauthn");
        }

        var user = auth.User!;
        var name = request.FriendlyName ?? "";
        if (user.Factors.Any(f => f.FriendlyName == name))
        {
            return DevAuthError.Unprocessable("mfa_factor_name_conflict",
                $"A factor with the friendly name \"{name}\" for this user already exists");
        }

        if (user.Factors.Count >= MaxFactors)
        {
            return DevAuthError.Unprocessable("too_many_enrolled_mfa_factors",
                "Maximum number of verified factors reached, unenroll to continue");
        }

        if (user.HasVerifiedFactor && auth.Session!.Aal != "aal2")
        {
            return DevAuthError.Forbidden("insufficient_aal", "AAL2 required to enroll a new factor");
        }

        // GoTrue's defaults (pquerna/otp): a 20-byte secret, SHA-1, 6 digits, 30 s; issuer = the site's host.
        var secret = Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20)).TrimEnd('=');
        var issuer = string.IsNullOrEmpty(request.Issuer) ? new Uri(Issuer).Authority : request.Issuer;
        var label = Uri.EscapeDataString(issuer) + ":" + Uri.EscapeDataString(user.Email);
        var uri = $"otpauth://totp/{label}?algorithm=SHA1&digits=6&issuer={Uri.EscapeDataString(issuer)}&period=30&secret={secret}";
        var now = time.GetUtcNow();
        var factor = new DevAuthFactor
        {
            Id = Guid.NewGuid(),
            FriendlyName = name,
            Secret = secret,
            Status = DevAuthFactor.Unverified,
            CreatedAt = now,
            UpdatedAt = now,
        };
        if (users.Update(user.Id, u => u with { Factors = [.. u.Factors, factor], UpdatedAt = now }) is null)
        {
            return DevAuthError.UserFromTokenGone();
        }

        return Json(new JsonObject
        {
            ["id"] = factor.Id.ToString(),
            ["type"] = "totp",
            ["friendly_name"] = name,
            ["totp"] = new JsonObject { ["qr_code"] = QrSvg(uri), ["secret"] = secret, ["uri"] = uri },
        });
    }

    private async Task<IResult> ChallengeFactorAsync(HttpContext context, string factorId)
    {
        var (auth, factor, error) = await LoadFactorAsync(context, factorId);
        if (error is not null)
        {
            return error;
        }

        var now = time.GetUtcNow();
        foreach (var (id, old) in _challenges)
        {
            if (now > old.CreatedAt + ChallengeLifetime)
            {
                _challenges.TryRemove(id, out _);
            }
        }

        var challenge = new FactorChallenge(Guid.NewGuid(), factor!.Id, now, PeerAddress(context));
        _challenges[challenge.Id] = challenge;
        users.Update(auth.User!.Id, u => u with { Factors = [.. u.Factors.Select(f => f.Id == factor.Id ? f with { LastChallengedAt = now } : f)] });
        return Json(new JsonObject
        {
            ["id"] = challenge.Id.ToString(),
            ["type"] = "totp",
            ["expires_at"] = (now + ChallengeLifetime).ToUnixTimeSeconds(),
        });
    }

    private async Task<IResult> VerifyFactorAsync(HttpContext context, string factorId)
    {
        var (auth, factor, error) = await LoadFactorAsync(context, factorId);
        if (error is not null)
        {
            return error;
        }

        var (request, bodyError) = await ReadJsonAsync<FactorVerifyRequest>(context);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (string.IsNullOrEmpty(request.Code))
        {
            return DevAuthError.Validation("Code needs to be non-empty");
        }

        if (!Guid.TryParse(request.ChallengeId, out var challengeId))
        {
            return DevAuthError.BadJson("invalid UUID in field challenge_id");
        }

        var now = time.GetUtcNow();
        if (!_challenges.TryGetValue(challengeId, out var challenge) || challenge.FactorId != factor!.Id)
        {
            return DevAuthError.Unprocessable("mfa_factor_not_found", "MFA factor with the provided challenge ID not found");
        }

        if (challenge.Verified || challenge.IpAddress != PeerAddress(context))
        {
            return DevAuthError.MfaIpAddressMismatch();
        }

        if (now > challenge.CreatedAt + ChallengeLifetime)
        {
            _challenges.TryRemove(challengeId, out _);
            return DevAuthError.Unprocessable("mfa_challenge_expired",
                $"MFA challenge {challengeId} has expired, verify against another challenge or create a new challenge.");
        }

        // One step either side, as GoTrue (Skew 1).
        var totp = new Totp(Base32Encoding.ToBytes(factor.Secret), step: 30, mode: OtpHashMode.Sha1, totpSize: 6);
        if (!totp.VerifyTotp(now.UtcDateTime, request.Code, out _, new VerificationWindow(previous: 1, future: 1)))
        {
            return DevAuthError.Unprocessable("mfa_verification_failed", "Invalid TOTP code entered");
        }

        // A challenge answers once (GoTrue keeps it, marked verified, and refuses it again).
        if (!_challenges.TryUpdate(challengeId, challenge with { Verified = true }, challenge))
        {
            return DevAuthError.MfaIpAddressMismatch();
        }

        // The factor is verified; other unverified TOTP factors go (GoTrue's DeleteUnverifiedFactors).
        var user = users.Update(auth.User!.Id, u => u with
        {
            Factors = [.. u.Factors.Where(f => f.Id == factor.Id || f.IsVerified).Select(f => f.Id == factor.Id ? f with { Status = DevAuthFactor.Verified, UpdatedAt = now } : f)],
            UpdatedAt = now,
        });
        var raised = user is null ? null : sessions.StepUp(auth.SessionId, "totp", factor.Id);
        if (raised is null)
        {
            return DevAuthError.Forbidden("session_not_found", "Session from session_id claim in JWT does not exist");
        }

        sessions.RemoveAal1Sessions(user!.Id);
        return TokenResponse(user, raised, now);
    }

    private async Task<IResult> UnenrollFactorAsync(HttpContext context, string factorId)
    {
        var (auth, factor, error) = await LoadFactorAsync(context, factorId);
        if (error is not null)
        {
            return error;
        }

        if (factor!.IsVerified && auth.Session!.Aal != "aal2")
        {
            return DevAuthError.Unprocessable("insufficient_aal", "AAL2 required to unenroll verified factor");
        }

        var now = time.GetUtcNow();
        users.Update(auth.User!.Id, u => u with { Factors = [.. u.Factors.Where(f => f.Id != factor.Id)], UpdatedAt = now });
        sessions.Downgrade(auth.User.Id, factor.Id);
        return Json(new JsonObject { ["id"] = factor.Id.ToString() });
    }

    /// <summary>GoTrue's <c>requireAuthentication</c> then <c>requireNotAnonymous</c>.</summary>
    private async Task<Authenticated> AuthenticateFactorUserAsync(HttpContext context)
    {
        var auth = await AuthenticateAsync(context);
        return auth.Error is null && auth.User!.IsAnonymous
            ? auth with { Error = DevAuthError.Forbidden("no_authorization", "Anonymous user not allowed to perform these actions") }
            : auth;
    }

    /// <summary>GoTrue's <c>loadFactor</c>: the factor must be the caller's own.</summary>
    private async Task<(Authenticated Auth, DevAuthFactor? Factor, DevAuthError? Error)> LoadFactorAsync(HttpContext context, string factorId)
    {
        var auth = await AuthenticateFactorUserAsync(context);
        if (auth.Error is not null)
        {
            return (auth, null, auth.Error);
        }

        if (!Guid.TryParse(factorId, out var id))
        {
            return (auth, null, new DevAuthError(StatusCodes.Status404NotFound, "validation_failed", "factor_id must be an UUID"));
        }

        var factor = auth.User!.Factors.FirstOrDefault(f => f.Id == id);
        return factor is null
            ? (auth, null, new DevAuthError(StatusCodes.Status404NotFound, "mfa_factor_not_found", "Factor not found"))
            : (auth, factor, null);
    }

    private static string PeerAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "";

    private static string QrSvg(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.H);
        return new SvgQRCode(data).GetGraphic(4);
    }

    private sealed record FactorChallenge(Guid Id, Guid FactorId, DateTimeOffset CreatedAt, string IpAddress)
    {
        public bool Verified { get; init; }
    }

    private sealed class EnrollRequest
    {
        [JsonPropertyName("factor_type")] public string? FactorType { get; init; }

        [JsonPropertyName("friendly_name")] public string? FriendlyName { get; init; }

        [JsonPropertyName("issuer")] public string? Issuer { get; init; }
    }

    private sealed class FactorVerifyRequest
    {
        [JsonPropertyName("challenge_id")] public string? ChallengeId { get; init; }

        [JsonPropertyName("code")] public string? Code { get; init; }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace TcpChat.DevAuth;

/// <summary>
/// The account lifecycle after signup: mailed codes (<c>POST /verify</c>), <c>PUT /user</c>, <c>GET /reauthenticate</c>
/// and anonymous sign-ins, with GoTrue's checks in GoTrue's order (internal/api/verify.go, user.go, reauthenticate.go,
/// anonymous.go).
/// </summary>
internal sealed partial class DevAuthApi
{
    /// <summary>GoTrue asks for the nonce only when the session is older than this (user.go).</summary>
    private static readonly TimeSpan RecentSignIn = TimeSpan.FromHours(24);

    private void MapAccount(RouteGroupBuilder auth)
    {
        auth.MapPost("/verify", (Delegate)VerifyAsync);
        auth.MapPut("/user", (Delegate)UpdateCurrentUserAsync);
        auth.MapGet("/reauthenticate", (Delegate)ReauthenticateAsync);
    }

    private async Task<IResult> VerifyAsync(HttpContext context)
    {
        var (request, error) = await ReadJsonAsync<VerifyRequest>(context);
        if (error is not null)
        {
            return error;
        }

        var type = request.Type ?? "";
        var token = request.Token ?? "";
        var tokenHash = request.TokenHash ?? "";
        var email = request.Email ?? "";
        var phone = request.Phone ?? "";
        if (type.Length == 0)
        {
            return DevAuthError.Validation("Verify requires a verification type");
        }

        if ((token.Length == 0) == (tokenHash.Length == 0))
        {
            return DevAuthError.Validation("Verify requires either a token or a token hash");
        }

        var now = time.GetUtcNow();
        DevAuthUser? user;
        string? kind;
        if (token.Length > 0)
        {
            if (email.Length == 0 || phone.Length > 0)
            {
                // No phone users exist here: a phone code finds nobody, as GoTrue's lookup would.
                return email.Length == 0 && phone.Length > 0
                    ? OtpExpired()
                    : DevAuthError.Validation("Only an email address or phone number should be provided on verify");
            }

            if (DevAuthEmail.Validate(email, "An email address is required", out var normalized) is not null)
            {
                return DevAuthError.Unprocessable("validation_failed", "Invalid email format");
            }

            // The dashes some mail clients add to a code are ignored, as in GoTrue.
            (user, kind) = FindByCode(type, normalized, DevAuthMailbox.TokenHash(normalized, token.Replace("-", "", StringComparison.Ordinal)), now);
            if (user is null)
            {
                return OtpExpired();
            }
        }
        else
        {
            if (email.Length > 0 || phone.Length > 0 || !string.IsNullOrEmpty(request.RedirectTo))
            {
                return DevAuthError.Validation("Only the token_hash and type should be provided");
            }

            if (type is not ("email" or "signup" or "invite" or "recovery" or "magiclink" or "email_change"))
            {
                return DevAuthError.Validation("Invalid email verification type");
            }

            (user, kind) = FindByTokenHash(type, tokenHash, now);
            if (user is null)
            {
                return DevAuthError.Forbidden("otp_expired", "Email link is invalid or has expired");
            }
        }

        if (user.IsBanned(now))
        {
            return DevAuthError.Forbidden("user_banned", "User is banned");
        }

        if (kind is null)
        {
            return DevAuthError.Validation("Unsupported verification type");
        }

        // Someone may have signed up with the new address since the change was asked for.
        if (kind == "email_change" && users.IsEmailTaken(user.EmailChange!, user.Id))
        {
            return DevAuthError.EmailExists();
        }

        var verified = users.Update(user.Id, u => kind switch
        {
            "signup" => u with { ConfirmationToken = null, ConfirmedAt = u.ConfirmedAt ?? now, UpdatedAt = now },
            "recovery" => u with { RecoveryToken = null, ConfirmedAt = u.ConfirmedAt ?? now, UpdatedAt = now },
            _ => u with
            {
                Email = u.EmailChange!,
                EmailChange = null,
                EmailChangeToken = null,
                IsAnonymous = false,
                ConfirmedAt = u.ConfirmedAt ?? now,
                UpdatedAt = now,
            },
        });
        return verified is null ? OtpExpired() : SignIn(verified, now, "otp");
    }

    /// <summary>
    /// The user whose stored code hash matches, and which code it was (<c>signup</c>, <c>recovery</c>,
    /// <c>email_change</c>); kind is null for a type GoTrue does not verify by email.
    /// </summary>
    private (DevAuthUser? User, string? Kind) FindByCode(string type, string email, string hash, DateTimeOffset now)
    {
        if (type == "email_change")
        {
            var changing = users.Snapshot().FirstOrDefault(u => u.EmailChange == email && u.EmailChangeToken == hash && IsFresh(u.EmailChangeSentAt, now));
            return (changing, "email_change");
        }

        var user = users.FindByEmail(email);
        if (user is null)
        {
            return (null, null);
        }

        var signup = user.ConfirmationToken == hash && IsFresh(user.ConfirmationSentAt, now);
        var recovery = user.RecoveryToken == hash && IsFresh(user.RecoverySentAt, now);
        return type switch
        {
            "signup" or "invite" => signup ? (user, "signup") : (null, null),
            "recovery" or "magiclink" => recovery ? (user, "recovery") : (null, null),
            "email" => signup ? (user, "signup") : recovery ? (user, "recovery") : (null, null),
            _ => (null, null),
        };
    }

    private (DevAuthUser? User, string? Kind) FindByTokenHash(string type, string hash, DateTimeOffset now)
    {
        foreach (var user in users.Snapshot())
        {
            var signup = user.ConfirmationToken == hash && IsFresh(user.ConfirmationSentAt, now);
            var recovery = user.RecoveryToken == hash && IsFresh(user.RecoverySentAt, now);
            var change = user.EmailChangeToken == hash && IsFresh(user.EmailChangeSentAt, now);
            var kind = type switch
            {
                "signup" or "invite" => signup ? "signup" : null,
                "recovery" or "magiclink" => recovery ? "recovery" : null,
                "email_change" => change ? "email_change" : null,
                _ => signup ? "signup" : recovery ? "recovery" : null,
            };
            if (kind is not null)
            {
                return (user, kind);
            }
        }

        return (null, null);
    }

    private bool IsFresh(DateTimeOffset? sentAt, DateTimeOffset now) =>
        sentAt is { } sent && now <= sent.AddSeconds(options.OtpExpirySeconds);

    private static DevAuthError OtpExpired() => DevAuthError.Forbidden("otp_expired", "Token has expired or is invalid");

    private async Task<IResult> UpdateCurrentUserAsync(HttpContext context)
    {
        var auth = await AuthenticateAsync(context);
        if (auth.Error is not null)
        {
            return auth.Error;
        }

        var (request, error) = await ReadJsonAsync<UserUpdateRequest>(context);
        if (error is not null)
        {
            return error;
        }

        if (DevAuthError.UnlessMetadata(request.Data, "UserUpdateParams") is { } badData)
        {
            return badData;
        }

        var user = auth.User!;
        var session = auth.Session!;
        var email = "";
        if (!string.IsNullOrEmpty(request.Email) && DevAuthEmail.Validate(request.Email, "An email address is required", out email) is { } invalid)
        {
            return invalid;
        }

        if (!string.IsNullOrEmpty(request.Phone))
        {
            return DevAuthError.Unprocessable("phone_provider_disabled", "Phone logins are disabled");
        }

        var password = request.Password;
        if (password is not null && DevAuthPasswords.CheckStrength(password) is { } weak)
        {
            return weak;
        }

        if (request.AppMetadata is { ValueKind: JsonValueKind.Object })
        {
            return DevAuthError.Forbidden("not_admin", "Updating app_metadata requires admin privileges");
        }

        var newPassword = !string.IsNullOrEmpty(password);
        var emailChanges = email.Length > 0 && email != user.Email;
        if (user.HasVerifiedFactor && session.Aal != "aal2" && (newPassword || emailChanges))
        {
            return new DevAuthError(StatusCodes.Status401Unauthorized, "insufficient_aal",
                "AAL2 session is required to update email or password when MFA is enabled.");
        }

        if (user.IsAnonymous && newPassword && email.Length == 0)
        {
            return DevAuthError.Unprocessable("validation_failed",
                "Updating password of an anonymous user without an email or phone is not allowed");
        }

        if (emailChanges && users.IsEmailTaken(email, user.Id))
        {
            return DevAuthError.EmailExists();
        }

        var now = time.GetUtcNow();
        (byte[] Salt, byte[] Hash)? hashed = null;
        if (password is not null)
        {
            if (options.SecurePasswordChange && now > session.CreatedAt + RecentSignIn)
            {
                if (string.IsNullOrEmpty(request.Nonce))
                {
                    return DevAuthError.BadRequest("reauthentication_needed", "Password update requires reauthentication");
                }

                if (!IsValidNonce(user, request.Nonce, now))
                {
                    return DevAuthError.Unprocessable("reauthentication_not_valid", "Nonce has expired or is invalid");
                }
            }

            if (newPassword && user.HasPassword && DevAuthPasswords.Verify(password, user))
            {
                return DevAuthError.Unprocessable("same_password", "New password should be different from the old password.");
            }

            hashed = DevAuthPasswords.Hash(password, options.PasswordHashIterations);
        }

        // An anonymous user adding an address with autoconfirm on gets it at once; everyone else confirms a mailed code.
        var direct = emailChanges && user.IsAnonymous && options.AutoConfirm;
        var mailChange = emailChanges && !direct;
        if (mailChange && EmailWaitSeconds(user.EmailChangeSentAt, now) is var wait and > 0)
        {
            return DevAuthError.EmailRateLimit(wait);
        }

        var updated = users.Update(user.Id, u =>
        {
            var next = u with { UpdatedAt = now };
            if (hashed is { } h)
            {
                next = next with { PasswordHash = h.Hash, PasswordSalt = h.Salt, PasswordIterations = options.PasswordHashIterations, ReauthenticationToken = null };
            }

            if (request.Data is { ValueKind: JsonValueKind.Object } data)
            {
                next = next with { UserMetadata = MergeMetadata(u.UserMetadata, data) };
            }

            if (direct)
            {
                next = next with { Email = email, IsAnonymous = false, ConfirmedAt = now };
            }

            return next;
        });
        if (updated is null)
        {
            return DevAuthError.UserFromTokenGone();
        }

        if (hashed is not null)
        {
            // GoTrue's UpdatePassword: every other session of the user ends.
            sessions.RemoveUserSessions(user.Id, keep: session.Id);
        }

        if (mailChange)
        {
            updated = await SendCodeAsync(updated, DevAuthMailType.EmailChange, email, now, context.RequestAborted) ?? updated;
        }

        return Json(DevAuthJson.User(updated));
    }

    private bool IsValidNonce(DevAuthUser user, string nonce, DateTimeOffset now) =>
        user.ReauthenticationToken is { Length: > 0 } stored && IsFresh(user.ReauthenticationSentAt, now)
        && stored == DevAuthMailbox.TokenHash(user.Email, nonce);

    /// <summary>GoTrue's <c>UpdateUserMetaData</c>: keys are set one by one, and a null value removes its key.</summary>
    private static JsonElement MergeMetadata(JsonElement current, JsonElement changes)
    {
        var merged = JsonObject.Create(current) ?? [];
        foreach (var property in changes.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                merged.Remove(property.Name);
            }
            else
            {
                merged[property.Name] = JsonNode.Parse(property.Value.GetRawText());
            }
        }

        return JsonSerializer.SerializeToElement(merged, DevAuthJson.Options);
    }

    private async Task<IResult> ReauthenticateAsync(HttpContext context)
    {
        var auth = await AuthenticateAsync(context);
        if (auth.Error is not null)
        {
            return auth.Error;
        }

        var user = auth.User!;
        if (user.Email.Length == 0)
        {
            return DevAuthError.Validation("Reauthentication requires the user to have an email or a phone number");
        }

        if (user.ConfirmedAt is null)
        {
            return DevAuthError.Unprocessable("email_not_confirmed", "Please verify your email first.");
        }

        var now = time.GetUtcNow();
        var wait = EmailWaitSeconds(user.ReauthenticationSentAt, now);
        if (wait > 0)
        {
            return DevAuthError.EmailRateLimit(wait);
        }

        await SendCodeAsync(user, DevAuthMailType.Reauthentication, user.Email, now, context.RequestAborted);
        return Json(new JsonObject());
    }

    private IResult SignInAnonymously(HttpContext context, JsonElement? data)
    {
        if (!options.AllowAnonymous)
        {
            return DevAuthError.Unprocessable("anonymous_provider_disabled", "Anonymous sign-ins are disabled");
        }

        if (!DevAuthRateLimits.TryAcquire(limits.Signup, ClientKey(context)))
        {
            return DevAuthError.RequestRateLimit();
        }

        if (DevAuthError.UnlessMetadata(data, "SignupParams") is { } badData)
        {
            return badData;
        }

        var now = time.GetUtcNow();
        var user = users.AddOrGetExisting(new DevAuthUser
        {
            Id = Guid.NewGuid(),
            IdentityId = Guid.NewGuid(),
            Email = "",
            IsAnonymous = true,
            PasswordHash = [],
            PasswordSalt = [],
            PasswordIterations = 0,
            CreatedAt = now,
            UpdatedAt = now,
            UserMetadata = DevAuthUser.Metadata(data),
        }, out _);
        DevAuthLog.SignedUp(logger, user.Id);
        return SignIn(user, now, "anonymous");
    }

    /// <summary>
    /// Stores the hash of a new code for <paramref name="type"/> and writes the mail to <paramref name="to"/>. Returns
    /// the updated user (null if it was deleted meanwhile). The code itself goes only into the mail.
    /// </summary>
    private async Task<DevAuthUser?> SendCodeAsync(DevAuthUser user, DevAuthMailType type, string to, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var code = DevAuthMailbox.NewCode();
        var hash = DevAuthMailbox.TokenHash(to, code);
        var updated = users.Update(user.Id, u => type switch
        {
            DevAuthMailType.Signup => u with { ConfirmationToken = hash, ConfirmationSentAt = now, UpdatedAt = now },
            DevAuthMailType.Recovery or DevAuthMailType.MagicLink => u with { RecoveryToken = hash, RecoverySentAt = now, UpdatedAt = now },
            DevAuthMailType.Reauthentication => u with { ReauthenticationToken = hash, ReauthenticationSentAt = now, UpdatedAt = now },
            _ => u with { EmailChange = to, EmailChangeToken = hash, EmailChangeSentAt = now, UpdatedAt = now },
        });
        if (updated is null)
        {
            return null;
        }

        var mail = await mailbox.SendAsync(type, to, code, Issuer + "/verify", cancellationToken);
        DevAuthLog.MailWritten(logger, mail.Type, to, mail.File);
        return updated;
    }

    private sealed class VerifyRequest
    {
        [JsonPropertyName("type")] public string? Type { get; init; }

        [JsonPropertyName("token")] public string? Token { get; init; }

        [JsonPropertyName("token_hash")] public string? TokenHash { get; init; }

        [JsonPropertyName("email")] public string? Email { get; init; }

        [JsonPropertyName("phone")] public string? Phone { get; init; }

        [JsonPropertyName("redirect_to")] public string? RedirectTo { get; init; }
    }

    private sealed class UserUpdateRequest
    {
        [JsonPropertyName("email")] public string? Email { get; init; }

        [JsonPropertyName("password")] public string? Password { get; init; }

        [JsonPropertyName("nonce")] public string? Nonce { get; init; }

        [JsonPropertyName("data")] public JsonElement? Data { get; init; }

        [JsonPropertyName("app_metadata")] public JsonElement? AppMetadata { get; init; }

        [JsonPropertyName("phone")] public string? Phone { get; init; }
    }
}

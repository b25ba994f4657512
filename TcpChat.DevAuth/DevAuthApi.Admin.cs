using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace TcpChat.DevAuth;

/// <summary>
/// GoTrue's admin API (a subset) behind <c>Authorization: Bearer &lt;secret key&gt;</c>.
/// </summary>
internal sealed partial class DevAuthApi
{
    private void MapAdmin(RouteGroupBuilder auth)
    {
        auth.MapGet("/admin/users", (Delegate)ListUsersAsync);
        auth.MapDelete("/admin/users/{id}", (Delegate)DeleteUserAsync);
        auth.MapPut("/admin/users/{id}", (Delegate)UpdateUserAsync);
    }

    private void MapMailbox(RouteGroupBuilder auth) => auth.MapGet(MailPath, (Delegate)ListMailAsync);

    /// <summary>
    /// <c>GET /auth/v1/_dev/mail[?email=…]</c> with the secret key: the development mailbox, oldest first, each mail with
    /// its code and token hash, so a person or a test can finish a signup, recovery or reauthentication.
    /// </summary>
    private async Task<IResult> ListMailAsync(HttpContext context)
    {
        if (await RequireAdminAsync(context) is { } denied)
        {
            return denied;
        }

        var filter = context.Request.Query["email"].ToString();
        var mails = mailbox.List(filter.Length > 0 ? DevAuthEmail.Normalize(filter) : null);
        return Json(new JsonObject
        {
            ["directory"] = mailbox.Directory,
            ["messages"] = new JsonArray([.. mails.Select(m => new JsonObject
            {
                ["id"] = m.Id,
                ["to"] = m.To,
                ["subject"] = m.Subject,
                ["type"] = m.Type,
                ["token"] = m.Token,
                ["token_hash"] = m.TokenHash,
                ["sent_at"] = DevAuthJson.Time(m.SentAt),
                ["file"] = m.File,
            })]),
        });
    }

    private async Task<IResult> ListUsersAsync(HttpContext context)
    {
        if (await RequireAdminAsync(context) is { } denied)
        {
            return denied;
        }

        var page = Math.Max(1, QueryInt(context, "page", 1));
        var perPage = Math.Clamp(QueryInt(context, "per_page", 50), 1, 1000);
        var all = users.Snapshot();
        context.Response.Headers["x-total-count"] = all.Count.ToString(CultureInfo.InvariantCulture);
        var list = new JsonArray([.. all.Skip((page - 1) * perPage).Take(perPage).Select(DevAuthJson.User)]);
        return Json(new JsonObject { ["users"] = list, ["aud"] = DevAuthTokenIssuer.Audience });
    }

    private async Task<IResult> DeleteUserAsync(HttpContext context, string id)
    {
        if (await RequireAdminAsync(context) is { } denied)
        {
            return denied;
        }

        if (!Guid.TryParse(id, out var userId))
        {
            return UserNotFound();
        }

        if (!users.Remove(userId))
        {
            return UserNotFound();
        }

        sessions.RemoveUserSessions(userId);
        DevAuthLog.AdminChange(logger, userId, "deleted");
        return Json(new JsonObject());
    }

    /// <summary>Supports <c>ban_duration</c> (a Go duration or <c>none</c>) and <c>email_confirm</c>.</summary>
    private async Task<IResult> UpdateUserAsync(HttpContext context, string id)
    {
        if (await RequireAdminAsync(context) is { } denied)
        {
            return denied;
        }

        if (!Guid.TryParse(id, out var userId))
        {
            return UserNotFound();
        }

        var (request, bodyError) = await ReadJsonAsync<AdminUpdateRequest>(context);
        if (bodyError is not null)
        {
            return bodyError;
        }

        var now = time.GetUtcNow();
        DateTimeOffset? bannedUntil = null;
        if (request.BanDuration is { Length: > 0 } duration && duration != "none")
        {
            if (!TryParseGoDuration(duration, out var span))
            {
                return DevAuthError.Validation($"invalid format for ban duration: time: invalid duration \"{duration}\"");
            }

            bannedUntil = now + span;
        }

        var updated = users.Update(userId, u => u with
        {
            BannedUntil = request.BanDuration is { Length: > 0 } ? bannedUntil : u.BannedUntil,
            ConfirmedAt = request.EmailConfirm == true ? u.ConfirmedAt ?? now : u.ConfirmedAt,
            UpdatedAt = now,
        });
        if (updated is null)
        {
            return UserNotFound();
        }

        DevAuthLog.AdminChange(logger, userId, updated.BannedUntil is { } until ? $"banned until {until:O}" : "updated");
        return Json(DevAuthJson.User(updated));
    }

    /// <summary>
    /// GoTrue's <c>requireAdminCredentials</c>: the gateway turns the secret key into a service-role token; any other
    /// Bearer is parsed as a JWT, so one that is not a JWT of ours is 403 <c>bad_jwt</c>, and the publishable key or a
    /// user's own token 403 <c>not_admin</c>.
    /// </summary>
    private async Task<DevAuthError?> RequireAdminAsync(HttpContext context)
    {
        var match = BearerHeader().Match(context.Request.Headers.Authorization.ToString());
        if (!match.Success)
        {
            return NoAuthorization();
        }

        var bearer = match.Groups[1].Value;
        if (KeyEquals(bearer, options.SecretKey))
        {
            return null;
        }

        // The gateway also turns the publishable key into an anon-role token, which is no admin.
        if (KeyEquals(bearer, options.AnonKey))
        {
            return DevAuthError.Forbidden("not_admin", "User not allowed");
        }

        var result = await tokens.ValidateAsync(bearer, Issuer);
        return result.IsValid ? DevAuthError.Forbidden("not_admin", "User not allowed") : BadJwt(Describe(result.Exception));
    }

    private static DevAuthError UserNotFound() => new(StatusCodes.Status404NotFound, "user_not_found", "User not found");

    private static int QueryInt(HttpContext context, string name, int fallback) =>
        int.TryParse(context.Request.Query[name], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    /// <summary>Go's <c>time.ParseDuration</c> for the non-negative forms GoTrue accepts, e.g. <c>24h</c>, <c>1h30m</c>, <c>1.5s</c>.</summary>
    internal static bool TryParseGoDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text == "0")
        {
            return true;
        }

        var matches = GoDurationPart().Matches(text);
        if (matches.Count == 0 || matches.Sum(m => m.Length) != text.Length)
        {
            return false;
        }

        foreach (Match part in matches)
        {
            var value = double.Parse(part.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            duration += part.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(value),
                "m" => TimeSpan.FromMinutes(value),
                "s" => TimeSpan.FromSeconds(value),
                "ms" => TimeSpan.FromMilliseconds(value),
                "us" or "µs" or "μs" => TimeSpan.FromMicroseconds(value),
                _ => TimeSpan.FromTicks((long)(value / 100)),
            };
        }

        return true;
    }

    [GeneratedRegex(@"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex GoDurationPart();

    private sealed class AdminUpdateRequest
    {
        [JsonPropertyName("ban_duration")] public string? BanDuration { get; init; }

        [JsonPropertyName("email_confirm")] public bool? EmailConfirm { get; init; }
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TcpChat.DevAuth;

/// <summary>The JSON bodies GoTrue sends (docs/supabase-auth.md §3.1): user, identity, access-token response.</summary>
internal static class DevAuthJson
{
    /// <summary>Requests: Go's encoding/json matches field names case-insensitively and ignores unknown fields.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static readonly JsonElement AppMetadataElement = JsonSerializer.SerializeToElement(AppMetadata(), Options);

    public static readonly JsonElement EmptyObjectElement = JsonSerializer.SerializeToElement(new JsonObject(), Options);

    public static JsonObject AppMetadata() => new() { ["provider"] = "email", ["providers"] = new JsonArray("email") };

    /// <summary>RFC 3339 in UTC with microseconds, as Go prints a Postgres timestamp.</summary>
    public static string Time(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static JsonObject User(DevAuthUser user)
    {
        var json = new JsonObject
        {
            ["id"] = user.Id.ToString(),
            ["aud"] = DevAuthTokenIssuer.Audience,
            ["role"] = "authenticated",
            ["email"] = user.Email,
        };
        AddTime(json, "email_confirmed_at", user.ConfirmedAt);
        json["phone"] = "";
        AddTime(json, "confirmed_at", user.ConfirmedAt);
        AddTime(json, "confirmation_sent_at", user.ConfirmationSentAt);
        AddTime(json, "recovery_sent_at", user.RecoverySentAt);
        if (user.EmailChange is { Length: > 0 } newEmail)
        {
            json["new_email"] = newEmail;
        }

        AddTime(json, "email_change_sent_at", user.EmailChangeSentAt);
        AddTime(json, "reauthentication_sent_at", user.ReauthenticationSentAt);
        AddTime(json, "last_sign_in_at", user.LastSignInAt);
        json["app_metadata"] = user.IsAnonymous ? new JsonObject() : AppMetadata();
        json["user_metadata"] = JsonObject.Create(user.UserMetadata);
        json["identities"] = user.IsAnonymous ? new JsonArray() : new JsonArray(Identity(user));
        if (user.Factors.Count > 0)
        {
            json["factors"] = new JsonArray([.. user.Factors.Select(Factor)]);
        }

        json["created_at"] = Time(user.CreatedAt);
        json["updated_at"] = Time(user.UpdatedAt);
        AddTime(json, "banned_until", user.BannedUntil);
        json["is_anonymous"] = user.IsAnonymous;
        return json;
    }

    /// <summary>
    /// GoTrue's <c>sanitizeUser</c>: the 200 answer to a signup for an already confirmed email when confirmation is
    /// on, so the response does not reveal that the address is registered.
    /// </summary>
    public static JsonObject ObfuscatedUser(string email, JsonElement metadata, DateTimeOffset now) => new()
    {
        ["id"] = Guid.NewGuid().ToString(),
        ["aud"] = DevAuthTokenIssuer.Audience,
        ["role"] = "",
        ["email"] = email,
        ["phone"] = "",
        ["confirmation_sent_at"] = Time(now),
        ["app_metadata"] = AppMetadata(),
        ["user_metadata"] = JsonObject.Create(metadata),
        ["identities"] = new JsonArray(),
        ["created_at"] = Time(now),
        ["updated_at"] = Time(now),
        ["is_anonymous"] = false,
    };

    public static JsonObject AccessTokenResponse(string accessToken, DateTimeOffset now, DateTimeOffset expiresAt, string refreshToken, DevAuthUser user) => new()
    {
        ["access_token"] = accessToken,
        ["token_type"] = "bearer",
        ["expires_in"] = (long)(expiresAt - now).TotalSeconds,
        ["expires_at"] = expiresAt.ToUnixTimeSeconds(),
        ["refresh_token"] = refreshToken,
        ["user"] = User(user),
    };

    public static JsonObject Factor(DevAuthFactor factor)
    {
        var json = new JsonObject
        {
            ["id"] = factor.Id.ToString(),
            ["friendly_name"] = factor.FriendlyName,
            ["factor_type"] = "totp",
            ["status"] = factor.Status,
            ["created_at"] = Time(factor.CreatedAt),
            ["updated_at"] = Time(factor.UpdatedAt),
        };
        AddTime(json, "last_challenged_at", factor.LastChallengedAt);
        return json;
    }

    private static JsonObject Identity(DevAuthUser user)
    {
        var json = new JsonObject
        {
            ["identity_id"] = user.IdentityId.ToString(),
            ["id"] = user.Id.ToString(),
            ["user_id"] = user.Id.ToString(),
            ["identity_data"] = new JsonObject
            {
                ["email"] = user.Email,
                ["email_verified"] = user.ConfirmedAt is not null,
                ["phone_verified"] = false,
                ["sub"] = user.Id.ToString(),
            },
            ["provider"] = "email",
        };
        AddTime(json, "last_sign_in_at", user.LastSignInAt);
        json["created_at"] = Time(user.CreatedAt);
        json["updated_at"] = Time(user.UpdatedAt);
        json["email"] = user.Email;
        return json;
    }

    private static void AddTime(JsonObject json, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            json[name] = Time(time);
        }
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace TcpChat.Server.Auth;

/// <summary>The <c>type</c> of an email code sent to <c>POST /verify</c> (names as in Supabase.Gotrue's <c>EmailOtpType</c>).</summary>
internal enum EmailOtpType
{
    /// <summary>The code of a signup confirmation mail.</summary>
    Signup,

    /// <summary>The code of a password recovery mail.</summary>
    Recovery,

    /// <summary>A signup or magic-link code; GoTrue tries both.</summary>
    Email,

    /// <summary>The code of a magic-link mail.</summary>
    MagicLink,
}

/// <summary>Body of <c>PUT /user</c>; null fields are left out, so they stay unchanged (Supabase.Gotrue's <c>UserAttributes</c>).</summary>
internal sealed class UserAttributes
{
    [JsonPropertyName("email")] public string? Email { get; init; }

    [JsonPropertyName("password")] public string? Password { get; init; }

    /// <summary>The reauthentication code from the mail, when the project requires a secure password change.</summary>
    [JsonPropertyName("nonce")] public string? Nonce { get; init; }

    /// <summary>Merged into <c>user_metadata</c>.</summary>
    [JsonPropertyName("data")] public JsonElement? Data { get; init; }
}

/// <summary>Body of <c>POST /verify</c> with a code from a mail.</summary>
internal sealed record VerifyOtpRequest(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("token")] string Token);

/// <summary>Body of an anonymous <c>POST /signup</c>: no email, no phone.</summary>
internal sealed record AnonymousSignUpRequest([property: JsonPropertyName("data")] JsonElement? Data);

/// <summary>Body of <c>POST /factors</c>.</summary>
internal sealed record EnrollFactorRequest(
    [property: JsonPropertyName("factor_type")] string FactorType,
    [property: JsonPropertyName("friendly_name")] string? FriendlyName,
    [property: JsonPropertyName("issuer")] string? Issuer);

/// <summary>Body of <c>POST /factors/{id}/verify</c>.</summary>
internal sealed record VerifyFactorRequest(
    [property: JsonPropertyName("challenge_id")] string ChallengeId,
    [property: JsonPropertyName("code")] string Code);

/// <summary>An MFA factor as <c>user.factors</c> lists it.</summary>
internal sealed class Factor
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("friendly_name")] public string? FriendlyName { get; set; }
    [JsonPropertyName("factor_type")] public string? FactorType { get; set; }

    /// <summary><c>unverified</c> until a first successful verify, then <c>verified</c>.</summary>
    [JsonPropertyName("status")] public string? Status { get; set; }
    [JsonPropertyName("created_at")] public DateTimeOffset? CreatedAt { get; set; }
    [JsonPropertyName("updated_at")] public DateTimeOffset? UpdatedAt { get; set; }

    public bool IsVerifiedTotp => FactorType == "totp" && Status == "verified";
}

/// <summary>Answer of <c>POST /factors</c> for a TOTP factor.</summary>
internal sealed class EnrollFactorResponse
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("friendly_name")] public string? FriendlyName { get; set; }
    [JsonPropertyName("totp")] public TotpEnrollment? Totp { get; set; }
}

/// <summary>The TOTP secret in its three forms: an SVG QR code, base32, and an <c>otpauth://</c> URI.</summary>
internal sealed class TotpEnrollment
{
    [JsonPropertyName("qr_code")] public string? QrCode { get; set; }
    [JsonPropertyName("secret")] public string? Secret { get; set; }
    [JsonPropertyName("uri")] public string? Uri { get; set; }
}

/// <summary>Answer of <c>POST /factors/{id}/challenge</c>.</summary>
internal sealed class ChallengeResponse
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("expires_at")] public long ExpiresAt { get; set; }
}

/// <summary>Answer of <c>DELETE /factors/{id}</c>.</summary>
internal sealed class UnenrollResponse
{
    [JsonPropertyName("id")] public string? Id { get; set; }
}

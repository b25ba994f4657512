using System.Text.Json;
using System.Text.Json.Serialization;

namespace TcpChat.DevAuth;

/// <summary>One stored user. Immutable: updates replace the record, so readers never need the store's lock.</summary>
internal sealed record DevAuthUser
{
    [JsonPropertyName("id")] public required Guid Id { get; init; }

    [JsonPropertyName("identity_id")] public required Guid IdentityId { get; init; }

    /// <summary>Lower-cased, as GoTrue stores it; empty for an anonymous user.</summary>
    [JsonPropertyName("email")] public required string Email { get; init; }

    [JsonPropertyName("is_anonymous")] public bool IsAnonymous { get; init; }

    /// <summary>Empty when the user has no password (anonymous).</summary>
    [JsonPropertyName("password_hash")] public required byte[] PasswordHash { get; init; }

    [JsonPropertyName("password_salt")] public required byte[] PasswordSalt { get; init; }

    /// <summary>Stored per user so a changed <see cref="DevAuthOptions.PasswordHashIterations"/> keeps old hashes valid.</summary>
    [JsonPropertyName("password_iterations")] public required int PasswordIterations { get; init; }

    [JsonPropertyName("confirmed_at")] public DateTimeOffset? ConfirmedAt { get; init; }

    [JsonPropertyName("confirmation_sent_at")] public DateTimeOffset? ConfirmationSentAt { get; init; }

    [JsonPropertyName("recovery_sent_at")] public DateTimeOffset? RecoverySentAt { get; init; }

    /// <summary>
    /// The mailed codes, stored hashed as GoTrue does (<see cref="DevAuthMailbox.TokenHash"/>), which is also the <c>token_hash</c> of the
    /// mail's link. Cleared once used.
    /// </summary>
    [JsonPropertyName("confirmation_token")] public string? ConfirmationToken { get; init; }

    [JsonPropertyName("recovery_token")] public string? RecoveryToken { get; init; }

    [JsonPropertyName("reauthentication_token")] public string? ReauthenticationToken { get; init; }

    [JsonPropertyName("reauthentication_sent_at")] public DateTimeOffset? ReauthenticationSentAt { get; init; }

    /// <summary>A pending email change (<c>new_email</c>), confirmed by the code mailed to it.</summary>
    [JsonPropertyName("email_change")] public string? EmailChange { get; init; }

    [JsonPropertyName("email_change_token")] public string? EmailChangeToken { get; init; }

    [JsonPropertyName("email_change_sent_at")] public DateTimeOffset? EmailChangeSentAt { get; init; }

    [JsonPropertyName("factors")] public IReadOnlyList<DevAuthFactor> Factors { get; init; } = [];

    [JsonPropertyName("last_sign_in_at")] public DateTimeOffset? LastSignInAt { get; init; }

    [JsonPropertyName("banned_until")] public DateTimeOffset? BannedUntil { get; init; }

    [JsonPropertyName("created_at")] public required DateTimeOffset CreatedAt { get; init; }

    [JsonPropertyName("updated_at")] public required DateTimeOffset UpdatedAt { get; init; }

    [JsonPropertyName("user_metadata")] public JsonElement UserMetadata { get; init; } = DevAuthJson.EmptyObjectElement;

    public bool IsBanned(DateTimeOffset now) => BannedUntil > now;

    public bool HasPassword => PasswordHash.Length > 0;

    /// <summary>GoTrue's <c>HasMFAEnabled</c>: at least one verified factor.</summary>
    public bool HasVerifiedFactor => Factors.Any(f => f.IsVerified);

    /// <summary>A cloned object element (safe to share), or <c>{}</c> for null/absent metadata.</summary>
    public static JsonElement Metadata(JsonElement? data) =>
        data is { ValueKind: JsonValueKind.Object } value ? value.Clone() : DevAuthJson.EmptyObjectElement;
}

/// <summary>A TOTP factor: unverified until its first successful verify; the secret is base32, as in the enrolment answer.</summary>
internal sealed record DevAuthFactor
{
    public const string Unverified = "unverified";
    public const string Verified = "verified";

    [JsonPropertyName("id")] public required Guid Id { get; init; }

    [JsonPropertyName("friendly_name")] public string FriendlyName { get; init; } = "";

    [JsonPropertyName("secret")] public required string Secret { get; init; }

    [JsonPropertyName("status")] public required string Status { get; init; }

    [JsonPropertyName("created_at")] public required DateTimeOffset CreatedAt { get; init; }

    [JsonPropertyName("updated_at")] public required DateTimeOffset UpdatedAt { get; init; }

    [JsonPropertyName("last_challenged_at")] public DateTimeOffset? LastChallengedAt { get; init; }

    public bool IsVerified => Status == Verified;
}

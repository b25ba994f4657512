using System.Text.Json;
using System.Text.Json.Serialization;

namespace TcpChat.DevAuth;

/// <summary>One stored user. Immutable: updates replace the record, so readers never need the store's lock.</summary>
internal sealed record DevAuthUser
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    [JsonPropertyName("id")] public required Guid Id { get; init; }

    [JsonPropertyName("identity_id")] public required Guid IdentityId { get; init; }

    /// <summary>Lower-cased, as GoTrue stores it.</summary>
    [JsonPropertyName("email")] public required string Email { get; init; }

    [JsonPropertyName("password_hash")] public required byte[] PasswordHash { get; init; }

    [JsonPropertyName("password_salt")] public required byte[] PasswordSalt { get; init; }

    /// <summary>Stored per user so a changed <see cref="DevAuthOptions.PasswordHashIterations"/> keeps old hashes valid.</summary>
    [JsonPropertyName("password_iterations")] public required int PasswordIterations { get; init; }

    [JsonPropertyName("confirmed_at")] public DateTimeOffset? ConfirmedAt { get; init; }

    [JsonPropertyName("confirmation_sent_at")] public DateTimeOffset? ConfirmationSentAt { get; init; }

    [JsonPropertyName("recovery_sent_at")] public DateTimeOffset? RecoverySentAt { get; init; }

    [JsonPropertyName("last_sign_in_at")] public DateTimeOffset? LastSignInAt { get; init; }

    [JsonPropertyName("banned_until")] public DateTimeOffset? BannedUntil { get; init; }

    [JsonPropertyName("created_at")] public required DateTimeOffset CreatedAt { get; init; }

    [JsonPropertyName("updated_at")] public required DateTimeOffset UpdatedAt { get; init; }

    [JsonPropertyName("user_metadata")] public JsonElement UserMetadata { get; init; } = EmptyObject;

    public bool IsBanned(DateTimeOffset now) => BannedUntil > now;

    /// <summary>A cloned object element (safe to share), or <c>{}</c> for null/absent metadata.</summary>
    public static JsonElement Metadata(JsonElement? data) =>
        data is { ValueKind: JsonValueKind.Object } value ? value.Clone() : EmptyObject;
}

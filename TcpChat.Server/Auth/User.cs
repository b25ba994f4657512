using System.Text.Json;
using System.Text.Json.Serialization;

namespace TcpChat.Server.Auth;

/// <summary>A Supabase Auth user object (docs/supabase-auth.md §3.1); named as in Supabase.Gotrue.</summary>
internal sealed class User
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("aud")] public string? Aud { get; set; }
    [JsonPropertyName("role")] public string? Role { get; set; }
    [JsonPropertyName("email")] public string? Email { get; set; }
    [JsonPropertyName("phone")] public string? Phone { get; set; }
    [JsonPropertyName("email_confirmed_at")] public DateTimeOffset? EmailConfirmedAt { get; set; }
    [JsonPropertyName("confirmed_at")] public DateTimeOffset? ConfirmedAt { get; set; }
    [JsonPropertyName("confirmation_sent_at")] public DateTimeOffset? ConfirmationSentAt { get; set; }
    [JsonPropertyName("banned_until")] public DateTimeOffset? BannedUntil { get; set; }
    [JsonPropertyName("identities")] public List<JsonElement>? Identities { get; set; }
    [JsonPropertyName("app_metadata")] public JsonElement AppMetadata { get; set; }
    [JsonPropertyName("user_metadata")] public JsonElement UserMetadata { get; set; }
    [JsonPropertyName("created_at")] public DateTimeOffset? CreatedAt { get; set; }
    [JsonPropertyName("updated_at")] public DateTimeOffset? UpdatedAt { get; set; }
    [JsonPropertyName("is_anonymous")] public bool IsAnonymous { get; set; }

    /// <summary>MFA factors; absent when the user has none.</summary>
    [JsonPropertyName("factors")] public List<Factor>? Factors { get; set; }
}

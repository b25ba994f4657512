using System.Text.Json.Serialization;

namespace TcpChat.Server.Auth;

/// <summary>A Supabase Auth session (<c>AccessTokenResponse</c>, docs/supabase-auth.md §3.1); named as in Supabase.Gotrue.</summary>
internal sealed class Session
{
    [JsonPropertyName("access_token")] public string? AccessToken { get; set; }
    [JsonPropertyName("token_type")] public string? TokenType { get; set; }
    [JsonPropertyName("expires_in")] public long ExpiresIn { get; set; }
    [JsonPropertyName("expires_at")] public long ExpiresAt { get; set; }
    [JsonPropertyName("refresh_token")] public string? RefreshToken { get; set; }
    [JsonPropertyName("user")] public User? User { get; set; }

    /// <summary>
    /// Only what refreshing a login needs: the refresh token and the expiry. A logged-in connection keeps this (its
    /// access token is kept apart, compactly, by <see cref="AuthIdentity"/>), not the user object, whose metadata
    /// would keep a whole JSON document alive per connection.
    /// </summary>
    public Session ForKeeping() => new()
    {
        ExpiresIn = ExpiresIn,
        ExpiresAt = ExpiresAt,
        RefreshToken = RefreshToken,
    };
}

using System.Text.Json.Serialization;

namespace TcpChat.Server.Auth;

/// <summary>A Supabase Auth session (<c>AccessTokenResponse</c>, AUTH-CONTRACT.md §3.1); named as in Supabase.Gotrue.</summary>
internal sealed class Session
{
    [JsonPropertyName("access_token")] public string? AccessToken { get; set; }
    [JsonPropertyName("token_type")] public string? TokenType { get; set; }
    [JsonPropertyName("expires_in")] public long ExpiresIn { get; set; }
    [JsonPropertyName("expires_at")] public long ExpiresAt { get; set; }
    [JsonPropertyName("refresh_token")] public string? RefreshToken { get; set; }
    [JsonPropertyName("user")] public User? User { get; set; }

    /// <summary>
    /// Only what keeping a login alive needs: the tokens and their expiry. A logged-in connection holds this, not the
    /// user object (whose metadata keeps its whole JSON document alive).
    /// </summary>
    public Session WithoutUser() => new()
    {
        AccessToken = AccessToken,
        TokenType = TokenType,
        ExpiresIn = ExpiresIn,
        ExpiresAt = ExpiresAt,
        RefreshToken = RefreshToken,
    };
}

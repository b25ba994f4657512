using System.Text.Json;
using System.Text.Json.Serialization;

namespace TcpChat.Server.Auth;

/// <summary>The answer of <c>GET /auth/v1/settings</c> (docs/supabase-auth.md §3.7); named as in Supabase.Gotrue.</summary>
internal sealed class Settings
{
    /// <summary>Which providers are enabled, e.g. <c>email</c>, <c>phone</c>, <c>anonymous_users</c>.</summary>
    [JsonPropertyName("external")] public Dictionary<string, JsonElement>? External { get; set; }
    [JsonPropertyName("disable_signup")] public bool DisableSignup { get; set; }
    [JsonPropertyName("mailer_autoconfirm")] public bool MailerAutoconfirm { get; set; }
    [JsonPropertyName("phone_autoconfirm")] public bool PhoneAutoconfirm { get; set; }
    [JsonPropertyName("sms_provider")] public string? SmsProvider { get; set; }
    [JsonPropertyName("saml_enabled")] public bool SamlEnabled { get; set; }
}

using System.Text.Json.Serialization;

namespace TcpChat.Server.Auth;

/// <summary>Source-generated System.Text.Json metadata for the Supabase Auth bodies.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Session))]
[JsonSerializable(typeof(User))]
[JsonSerializable(typeof(Settings))]
[JsonSerializable(typeof(EmailPasswordRequest))]
[JsonSerializable(typeof(EmailRequest))]
[JsonSerializable(typeof(RefreshTokenRequest))]
[JsonSerializable(typeof(UserAttributes))]
[JsonSerializable(typeof(VerifyOtpRequest))]
[JsonSerializable(typeof(AnonymousSignUpRequest))]
[JsonSerializable(typeof(EnrollFactorRequest))]
[JsonSerializable(typeof(VerifyFactorRequest))]
[JsonSerializable(typeof(EnrollFactorResponse))]
[JsonSerializable(typeof(ChallengeResponse))]
[JsonSerializable(typeof(UnenrollResponse))]
[JsonSerializable(typeof(JsonObjectRequest))]
internal sealed partial class AuthJsonContext : JsonSerializerContext;

/// <summary>Body of the password grant and of <c>/signup</c>.</summary>
internal sealed record EmailPasswordRequest(
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("password")] string Password);

/// <summary>Body of <c>/recover</c>.</summary>
internal sealed record EmailRequest([property: JsonPropertyName("email")] string Email);

/// <summary>Body of the refresh grant.</summary>
internal sealed record RefreshTokenRequest([property: JsonPropertyName("refresh_token")] string RefreshToken);

/// <summary>An empty JSON object body (<c>{}</c>): GoTrue rejects an empty body as <c>bad_json</c>.</summary>
internal sealed record JsonObjectRequest;

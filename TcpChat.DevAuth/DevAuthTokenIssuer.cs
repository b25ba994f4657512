using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TcpChat.DevAuth;

/// <summary>
/// Signs access tokens with one ES256 (P-256) key and verifies them, with the claims of docs/supabase-auth.md §5:
/// <c>aud</c> a plain string, no <c>nbf</c> or <c>jti</c>, header <c>kid</c>.
/// </summary>
internal sealed class DevAuthTokenIssuer : IDisposable
{
    public const string Audience = "authenticated";

    private readonly ECDsa _ecdsa;
    private readonly ECDsaSecurityKey _key;
    private readonly SigningCredentials _credentials;
    // Otherwise the handler adds nbf and its own iat/exp; GoTrue has no nbf.
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public DevAuthTokenIssuer(DevAuthSigningKeyData data)
    {
        _ecdsa = ECDsa.Create();
        _ecdsa.ImportPkcs8PrivateKey(data.Pkcs8, out _);
        // Own factory: the default one caches signature providers by kid across instances, and a restarted server
        // (same kid, new ECDsa) would get the disposed key of the previous one.
        _key = new ECDsaSecurityKey(_ecdsa) { KeyId = data.KeyId, CryptoProviderFactory = new CryptoProviderFactory() };
        _credentials = new SigningCredentials(_key, SecurityAlgorithms.EcdsaSha256);
    }

    public static DevAuthSigningKeyData CreateKey()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new DevAuthSigningKeyData(Guid.NewGuid().ToString(), ecdsa.ExportPkcs8PrivateKey());
    }

    public string Issue(DevAuthUser user, DevAuthSession session, string issuer, DateTimeOffset now, DateTimeOffset expiresAt)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            SigningCredentials = _credentials,
            Claims = new Dictionary<string, object>
            {
                ["iss"] = issuer,
                ["aud"] = Audience,
                ["sub"] = user.Id.ToString(),
                ["exp"] = expiresAt.ToUnixTimeSeconds(),
                ["iat"] = now.ToUnixTimeSeconds(),
                ["email"] = user.Email,
                ["phone"] = "",
                ["app_metadata"] = user.IsAnonymous ? DevAuthJson.EmptyObjectElement : DevAuthJson.AppMetadataElement,
                ["user_metadata"] = user.UserMetadata,
                ["role"] = "authenticated",
                ["aal"] = session.Aal,
                // The handler writes JsonElement values verbatim.
                ["amr"] = JsonSerializer.SerializeToElement(
                    new JsonArray([.. session.Amr.Select(a => new JsonObject { ["method"] = a.Method, ["timestamp"] = a.At.ToUnixTimeSeconds() })]),
                    DevAuthJson.Options),
                ["session_id"] = session.Id.ToString(),
                ["is_anonymous"] = user.IsAnonymous,
            },
        };
        return _handler.CreateToken(descriptor);
    }

    /// <summary>Checks signature, algorithm, issuer and audience; expiry is checked by the caller against its clock.</summary>
    public Task<TokenValidationResult> ValidateAsync(string token, string issuer) =>
        _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ValidIssuer = issuer,
            ValidAudience = Audience,
            ValidateLifetime = false,
            RequireExpirationTime = true,
        });

    /// <summary>The public half only, as GoTrue's <c>/.well-known/jwks.json</c>.</summary>
    public JsonObject Jwks()
    {
        var parameters = _ecdsa.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "EC",
                ["kid"] = _key.KeyId,
                ["alg"] = "ES256",
                ["crv"] = "P-256",
                ["x"] = Base64UrlEncoder.Encode(parameters.Q.X),
                ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y),
                ["key_ops"] = new JsonArray("verify"),
                ["use"] = "sig",
            }),
        };
    }

    public void Dispose() => _ecdsa.Dispose();
}

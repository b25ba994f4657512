using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NUnit.Framework;
using TcpChat.Server.Auth;
using TcpChat.Server.Protocol;

namespace TcpChat.Tests.Unit.Auth;

public class AccessTokenValidatorTests
{
    private const string Secret = "super-secret-jwt-token-with-at-least-32-characters-long";
    private static readonly IPAddress Client = IPAddress.Parse("203.0.113.7");
    private static readonly JsonWebTokenHandler Handler = new();

    private static ECDsaSecurityKey NewEcKey(string kid) => new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = kid };

    private static RsaSecurityKey NewRsaKey(string kid) => new(RSA.Create(2048)) { KeyId = kid };

    private static string Jwk(SecurityKey key)
    {
        var jwk = key switch
        {
            ECDsaSecurityKey ec => JsonWebKeyConverter.ConvertFromECDsaSecurityKey(ec),
            RsaSecurityKey rsa => JsonWebKeyConverter.ConvertFromRSASecurityKey(rsa),
            _ => throw new ArgumentException("unsupported", nameof(key)),
        };
        return jwk.Kty == "EC"
            ? $$"""{"kty":"EC","crv":"P-256","x":"{{jwk.X}}","y":"{{jwk.Y}}","kid":"{{key.KeyId}}","alg":"ES256","use":"sig","key_ops":["verify"]}"""
            : $$"""{"kty":"RSA","n":"{{jwk.N}}","e":"{{jwk.E}}","kid":"{{key.KeyId}}","alg":"RS256","key_ops":["verify"]}""";
    }

    private static string Jwks(params SecurityKey[] keys) => $$"""{"keys":[{{string.Join(",", keys.Select(Jwk))}}]}""";

    private static string Token(
        SecurityKey key,
        string? algorithm = null,
        string issuer = AuthTestHost.AuthBase,
        string audience = "authenticated",
        string role = "authenticated",
        TimeSpan? expiresIn = null)
    {
        var now = DateTime.UtcNow;
        var expires = now + (expiresIn ?? TimeSpan.FromHours(1));
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = expires.AddHours(-1),
            NotBefore = expires.AddHours(-1),
            Expires = expires,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = TestJson.UserId,
                ["email"] = "alice@example.com",
                ["role"] = role,
                ["session_id"] = "s1",
            },
            SigningCredentials = new SigningCredentials(key, algorithm ?? key switch
            {
                ECDsaSecurityKey => SecurityAlgorithms.EcdsaSha256,
                RsaSecurityKey => SecurityAlgorithms.RsaSha256,
                _ => SecurityAlgorithms.HmacSha256,
            }),
        });
    }

    private static AuthTestHost HostServingJwks(Func<string> jwks, Action<Dictionary<string, string?>>? configure = null, TimeProvider? time = null)
    {
        var host = AuthTestHost.Create(configure, time);
        host.Handler.Respond(r => r.Uri.AbsolutePath.EndsWith("/.well-known/jwks.json", StringComparison.Ordinal)
            ? FakeSupabaseHandler.Json(200, jwks())
            : FakeSupabaseHandler.Json(200, TestJson.User()));
        return host;
    }

    [Test, CancelAfter(10_000)]
    public async Task ValidEs256TokenSignsIn(CancellationToken ct)
    {
        var key = NewEcKey("ec1");
        using var host = HostServingJwks(() => Jwks(key));

        var result = await host.Auth.VerifyTokenAsync(Token(key), Client, ct);

        Assert.Multiple(() =>
        {
            Assert.That(result.Succeeded, Is.True, result.ErrorText);
            Assert.That(result.Identity!.UserId, Is.EqualTo(TestJson.UserId));
            Assert.That(result.Identity.Email, Is.EqualTo("alice@example.com"));
            Assert.That(result.Identity.ExpiresAt, Is.GreaterThan(DateTimeOffset.UtcNow.AddMinutes(50)));
            Assert.That(result.Identity.Session, Is.Null);
            Assert.That(host.Handler.Calls("/user"), Is.Empty, "verified locally");
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task ValidRs256TokenSignsIn(CancellationToken ct)
    {
        var ec = NewEcKey("ec1");
        var rsa = NewRsaKey("rsa1");
        using var host = HostServingJwks(() => Jwks(ec, rsa));

        var result = await host.Auth.VerifyTokenAsync(Token(rsa), Client, ct);

        Assert.That(result.Succeeded, Is.True, result.ErrorText);
    }

    [Test, CancelAfter(10_000)]
    public async Task ValidHs256TokenWithTheSecretSignsInWithoutFetchingKeys(CancellationToken ct)
    {
        using var host = HostServingJwks(() => """{"keys":[]}""", s => s["Supabase:JwtSecret"] = Secret);
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret));

        var result = await host.Auth.VerifyTokenAsync(Token(key), Client, ct);

        Assert.Multiple(() =>
        {
            Assert.That(result.Succeeded, Is.True, result.ErrorText);
            Assert.That(host.Handler.Requests, Is.Empty);
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task Hs256TokenWithAnotherSecretIsInvalid(CancellationToken ct)
    {
        using var host = HostServingJwks(() => """{"keys":[]}""", s => s["Supabase:JwtSecret"] = Secret);
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret.ToUpperInvariant()));

        var result = await host.Auth.VerifyTokenAsync(Token(key), Client, ct);

        Assert.That(result.ErrorCode, Is.EqualTo(ErrorCodes.InvalidToken));
    }

    private static IEnumerable<TestCaseData> BadTokens()
    {
        yield return new TestCaseData((Func<ECDsaSecurityKey, string>)(k => Token(k, expiresIn: TimeSpan.FromMinutes(-2)))).SetName("Expired");
        yield return new TestCaseData((Func<ECDsaSecurityKey, string>)(k => Token(k, issuer: "https://other.supabase.co/auth/v1"))).SetName("WrongIssuer");
        yield return new TestCaseData((Func<ECDsaSecurityKey, string>)(k => Token(k, audience: "anon"))).SetName("WrongAudience");
        yield return new TestCaseData((Func<ECDsaSecurityKey, string>)(k => Token(k, role: "service_role"))).SetName("WrongRole");
        yield return new TestCaseData((Func<ECDsaSecurityKey, string>)(k => Token(NewEcKey(k.KeyId)))).SetName("WrongKeySameKid");
        yield return new TestCaseData((Func<ECDsaSecurityKey, string>)(_ => Unsigned())).SetName("AlgNone");
        yield return new TestCaseData((Func<ECDsaSecurityKey, string>)(_ => "not-a-jwt")).SetName("Garbage");
        yield return new TestCaseData((Func<ECDsaSecurityKey, string>)(_ => Token(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret))))).SetName("Hs256WithoutSecret");
    }

    private static string Unsigned()
    {
        static string Part(string json) => Base64UrlEncoder.Encode(json);
        long exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return Part("""{"alg":"none","typ":"JWT"}""") + "." +
            Part($$"""{"iss":"{{AuthTestHost.AuthBase}}","aud":"authenticated","role":"authenticated","sub":"{{TestJson.UserId}}","exp":{{exp}}}""") + ".";
    }

    [TestCaseSource(nameof(BadTokens)), CancelAfter(10_000)]
    public async Task BadTokenIsInvalid(Func<ECDsaSecurityKey, string> makeToken, CancellationToken ct)
    {
        var key = NewEcKey("ec1");
        using var host = HostServingJwks(() => Jwks(key));

        var result = await host.Auth.VerifyTokenAsync(makeToken(key), Client, ct);

        Assert.Multiple(() =>
        {
            Assert.That(result.ErrorCode, Is.EqualTo(ErrorCodes.InvalidToken));
            Assert.That(host.Handler.Calls("/user"), Is.Empty);
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task UnknownKidRefetchesOnceThrottledAndSharedByConcurrentCallers(CancellationToken ct)
    {
        var oldKey = NewEcKey("old");
        var newKey = NewEcKey("new");
        var served = Jwks(oldKey);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = HostServingJwks(() => served, time: time);
        var validator = host.Validator;

        var first = await validator.ValidateAsync(Token(oldKey), ct);
        Assert.That(first.Status, Is.EqualTo(TokenCheckStatus.Valid));
        Assert.That(validator.JwksFetches, Is.EqualTo(1));

        // The project rotates to a new key; a token with its kid arrives after the throttle window.
        served = Jwks(oldKey, newKey);
        time.Advance(AccessTokenValidator.RefetchInterval + TimeSpan.FromSeconds(1));
        var token = Token(newKey);
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => validator.ValidateAsync(token, ct).AsTask()));
        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.Status), Is.All.EqualTo(TokenCheckStatus.Valid));
            Assert.That(validator.JwksFetches, Is.EqualTo(2), "one refetch shared by every caller");
        });

        // Another unknown kid right away: throttled, no fetch.
        var stranger = await validator.ValidateAsync(Token(NewEcKey("stranger")), ct);
        Assert.Multiple(() =>
        {
            Assert.That(stranger.Status, Is.EqualTo(TokenCheckStatus.Invalid));
            Assert.That(validator.JwksFetches, Is.EqualTo(2));
            Assert.That(host.Handler.Calls("/jwks.json"), Has.Length.EqualTo(2));
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task KeysAreRefetchedAfterTenMinutes(CancellationToken ct)
    {
        var key = NewEcKey("k");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = HostServingJwks(() => Jwks(key), time: time);
        var token = Token(key);

        await host.Validator.ValidateAsync(token, ct);
        await host.Validator.ValidateAsync(token, ct);
        Assert.That(host.Validator.JwksFetches, Is.EqualTo(1));

        time.Advance(AccessTokenValidator.KeyCacheLifetime + TimeSpan.FromSeconds(1));
        await host.Validator.ValidateAsync(token, ct);
        Assert.That(host.Validator.JwksFetches, Is.EqualTo(2));
    }

    [Test, CancelAfter(10_000)]
    public async Task EmptyJwksFallsBackToGetUser(CancellationToken ct)
    {
        using var host = HostServingJwks(() => """{"keys":[]}""");
        var token = Token(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)));

        var result = await host.Auth.VerifyTokenAsync(token, Client, ct);

        var user = host.Handler.Calls("/user");
        Assert.Multiple(() =>
        {
            Assert.That(result.Succeeded, Is.True, result.ErrorText);
            Assert.That(result.Identity!.UserId, Is.EqualTo(TestJson.UserId));
            Assert.That(result.Identity.ExpiresAt, Is.GreaterThan(DateTimeOffset.UtcNow));
            Assert.That(user, Has.Length.EqualTo(1));
            Assert.That(user[0].Header("Authorization"), Is.EqualTo("Bearer " + token));
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task FallbackRejectedByGetUserIsInvalidToken(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(r => r.Uri.AbsolutePath.EndsWith("/jwks.json", StringComparison.Ordinal)
            ? FakeSupabaseHandler.Json(200, """{"keys":[]}""")
            : FakeSupabaseHandler.Error(403, "session_not_found", "Session from session_id claim in JWT does not exist"));

        var result = await host.Auth.VerifyTokenAsync(Token(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret))), Client, ct);

        Assert.That(result.ErrorCode, Is.EqualTo(ErrorCodes.InvalidToken));
    }

    [Test, CancelAfter(10_000)]
    public async Task JwksOutageIsAuthUnavailable(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Text(502, "Bad Gateway"));

        var result = await host.Auth.VerifyTokenAsync(Token(NewEcKey("k")), Client, ct);

        Assert.That(result.ErrorCode, Is.EqualTo(ErrorCodes.AuthUnavailable));
    }
}

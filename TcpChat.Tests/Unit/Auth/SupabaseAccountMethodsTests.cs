using System.Net;
using System.Text.Json;
using NUnit.Framework;
using TcpChat.Server.Auth;

namespace TcpChat.Tests.Unit.Auth;

/// <summary>The account-lifecycle calls of <see cref="SupabaseAuthClient"/>: paths, headers and bodies as GoTrue reads them.</summary>
public class SupabaseAccountMethodsTests
{
    private const string Jwt = "user.access.token";

    [Test, CancelAfter(10_000)]
    public async Task VerifyEmailOtpPostsTypeEmailAndTokenAndReturnsTheSession(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(200, TestJson.Session()));

        var session = await host.Client.VerifyEmailOtpAsync("alice@example.com", "123456", EmailOtpType.Recovery, null, ct);

        var request = host.Handler.Requests.Single();
        using var body = JsonDocument.Parse(request.Body!);
        Assert.Multiple(() =>
        {
            Assert.That(session.AccessToken, Is.EqualTo("header.payload.sig"));
            Assert.That(request.Method, Is.EqualTo(HttpMethod.Post));
            Assert.That(request.Uri.AbsolutePath, Is.EqualTo("/auth/v1/verify"));
            Assert.That(request.Header("Authorization"), Is.Null);
            Assert.That(body.RootElement.GetProperty("type").GetString(), Is.EqualTo("recovery"));
            Assert.That(body.RootElement.GetProperty("email").GetString(), Is.EqualTo("alice@example.com"));
            Assert.That(body.RootElement.GetProperty("token").GetString(), Is.EqualTo("123456"));
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task AWrongCodeIsTheOtpExpiredError(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(403,
            """{"code":403,"error_code":"otp_expired","msg":"Token has expired or is invalid"}""", "otp_expired"));

        var e = await Assert.ThrowsAsync<GotrueException>(() => host.Client.VerifyEmailOtpAsync("a@example.com", "000000", EmailOtpType.Signup, null, ct));

        Assert.Multiple(() =>
        {
            Assert.That(e!.StatusCode, Is.EqualTo(403));
            Assert.That(e.ErrorCode, Is.EqualTo("otp_expired"));
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task UpdateUserPutsOnlyTheGivenFieldsWithTheAccessToken(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(200, TestJson.User()));

        var user = await host.Client.UpdateUserAsync(Jwt, new UserAttributes { Password = "new-secret", Nonce = "654321" }, ct);

        var request = host.Handler.Requests.Single();
        using var body = JsonDocument.Parse(request.Body!);
        Assert.Multiple(() =>
        {
            Assert.That(user.Id, Is.EqualTo(TestJson.UserId));
            Assert.That(request.Method, Is.EqualTo(HttpMethod.Put));
            Assert.That(request.Uri.AbsolutePath, Is.EqualTo("/auth/v1/user"));
            Assert.That(request.Header("Authorization"), Is.EqualTo("Bearer " + Jwt));
            Assert.That(body.RootElement.GetProperty("password").GetString(), Is.EqualTo("new-secret"));
            Assert.That(body.RootElement.GetProperty("nonce").GetString(), Is.EqualTo("654321"));
            Assert.That(body.RootElement.TryGetProperty("email", out _), Is.False, "absent fields stay unchanged");
            Assert.That(body.RootElement.TryGetProperty("data", out _), Is.False);
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task ReauthenticationNeededSurfacesItsErrorCode(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(400,
            """{"code":400,"error_code":"reauthentication_needed","msg":"Password update requires reauthentication"}""", "reauthentication_needed"));

        var e = await Assert.ThrowsAsync<GotrueException>(() => host.Client.UpdateUserAsync(Jwt, new UserAttributes { Password = "x-secret" }, ct));

        Assert.That(e!.ErrorCode, Is.EqualTo("reauthentication_needed"));
    }

    [Test, CancelAfter(10_000)]
    public async Task ReauthenticateIsAGetWithTheAccessTokenAndNotRetriedAfterAServerError(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(500, """{"code":500,"error_code":"unexpected_failure","msg":"Error sending email"}"""));

        await Assert.ThrowsAsync<GotrueException>(() => host.Client.ReauthenticateAsync(Jwt, ct));

        var request = host.Handler.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo(HttpMethod.Get));
            Assert.That(request.Uri.AbsolutePath, Is.EqualTo("/auth/v1/reauthenticate"));
            Assert.That(request.Header("Authorization"), Is.EqualTo("Bearer " + Jwt));
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task SignInAnonymouslyPostsSignupWithoutEmailOrPhone(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(200, TestJson.Session()));

        var session = await host.Client.SignInAnonymouslyAsync(null, ct);

        var request = host.Handler.Requests.Single();
        using var body = JsonDocument.Parse(request.Body!);
        Assert.Multiple(() =>
        {
            Assert.That(session.RefreshToken, Is.EqualTo("refresh-1"));
            Assert.That(request.Uri.AbsolutePath, Is.EqualTo("/auth/v1/signup"));
            Assert.That(request.Header("Authorization"), Is.EqualTo("Bearer " + AuthTestHost.AnonKey));
            Assert.That(body.RootElement.EnumerateObject().Select(p => p.Name), Is.Empty);
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task AnonymousSignInsOffIsA422WithItsCode(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(422,
            """{"code":422,"error_code":"anonymous_provider_disabled","msg":"Anonymous sign-ins are disabled"}""", "anonymous_provider_disabled"));

        var e = await Assert.ThrowsAsync<GotrueException>(() => host.Client.SignInAnonymouslyAsync(null, ct));

        Assert.Multiple(() =>
        {
            Assert.That(e!.StatusCode, Is.EqualTo(422));
            Assert.That(e.ErrorCode, Is.EqualTo("anonymous_provider_disabled"));
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task FactorCallsUseTheFactorPathsAndBodies(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        const string factorId = "0b6a3f4e-1111-4222-8333-944455556666";
        host.Handler.Respond(r => (r.Method.Method, r.Uri.AbsolutePath) switch
        {
            ("POST", "/auth/v1/factors") => FakeSupabaseHandler.Json(200,
                $$$"""{"id":"{{{factorId}}}","type":"totp","friendly_name":"phone","totp":{"qr_code":"<svg/>","secret":"JBSWY3DPEHPK3PXP","uri":"otpauth://totp/x"}}"""),
            ("POST", var p) when p.EndsWith("/challenge", StringComparison.Ordinal) => FakeSupabaseHandler.Json(200,
                """{"id":"c1","type":"totp","expires_at":1900000000}"""),
            ("POST", var p) when p.EndsWith("/verify", StringComparison.Ordinal) => FakeSupabaseHandler.Json(200, TestJson.Session(accessToken: "aal2.token.sig")),
            ("DELETE", _) => FakeSupabaseHandler.Json(200, $$"""{"id":"{{factorId}}"}"""),
            _ => FakeSupabaseHandler.Json(404, """{"code":404,"error_code":"not_found","msg":"no"}"""),
        });

        var enrolled = await host.Client.EnrollTotpFactorAsync(Jwt, "phone", "tcpchat", ct);
        var challenge = await host.Client.ChallengeFactorAsync(Jwt, enrolled.Id!, ct);
        var session = await host.Client.VerifyFactorAsync(Jwt, enrolled.Id!, challenge.Id!, "123456", ct);
        var removed = await host.Client.UnenrollFactorAsync(session.AccessToken!, enrolled.Id!, ct);

        var calls = host.Handler.Requests.ToArray();
        using var enrollBody = JsonDocument.Parse(calls[0].Body!);
        using var challengeBody = JsonDocument.Parse(calls[1].Body!);
        using var verifyBody = JsonDocument.Parse(calls[2].Body!);
        Assert.Multiple(() =>
        {
            Assert.That(enrolled.Totp!.Secret, Is.EqualTo("JBSWY3DPEHPK3PXP"));
            Assert.That(enrollBody.RootElement.GetProperty("factor_type").GetString(), Is.EqualTo("totp"));
            Assert.That(enrollBody.RootElement.GetProperty("friendly_name").GetString(), Is.EqualTo("phone"));
            Assert.That(enrollBody.RootElement.GetProperty("issuer").GetString(), Is.EqualTo("tcpchat"));
            Assert.That(calls[1].Uri.AbsolutePath, Is.EqualTo($"/auth/v1/factors/{factorId}/challenge"));
            Assert.That(challengeBody.RootElement.ValueKind, Is.EqualTo(JsonValueKind.Object), "a JSON body, never an empty one");
            Assert.That(challenge.ExpiresAt, Is.EqualTo(1_900_000_000));
            Assert.That(calls[2].Uri.AbsolutePath, Is.EqualTo($"/auth/v1/factors/{factorId}/verify"));
            Assert.That(verifyBody.RootElement.GetProperty("challenge_id").GetString(), Is.EqualTo("c1"));
            Assert.That(verifyBody.RootElement.GetProperty("code").GetString(), Is.EqualTo("123456"));
            Assert.That(session.AccessToken, Is.EqualTo("aal2.token.sig"));
            Assert.That(calls[3].Method, Is.EqualTo(HttpMethod.Delete));
            Assert.That(calls[3].Header("Authorization"), Is.EqualTo("Bearer aal2.token.sig"));
            Assert.That(removed.Id, Is.EqualTo(factorId));
            Assert.That(calls.All(c => c.Header("apikey") == AuthTestHost.AnonKey), Is.True);
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task UserFactorsAreRead(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        var user = TestJson.User().TrimEnd('}') +
            ""","factors":[{"id":"f1","friendly_name":"app","factor_type":"totp","status":"verified","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}]}""";
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(200, user));

        var read = await host.Client.GetUserAsync(Jwt, ct);

        Assert.That(read.Factors!.Single().IsVerifiedTotp, Is.True);
    }

    [TestCase("verify")]
    [TestCase("update-user")]
    [TestCase("mfa-verify")]
    [CancelAfter(10_000)]
    public async Task CallsThatUseUpACodeAreNotRetriedAfterAServerError(string call, CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(500, """{"code":500,"error_code":"unexpected_failure","msg":"db"}"""));

        Func<Task> send = call switch
        {
            "verify" => () => host.Client.VerifyEmailOtpAsync("a@example.com", "123456", EmailOtpType.Recovery, null, ct),
            "update-user" => () => host.Client.UpdateUserAsync(Jwt, new UserAttributes { Password = "new-secret" }, ct),
            _ => () => host.Client.VerifyFactorAsync(Jwt, "f1", "c1", "123456", ct),
        };
        await Assert.ThrowsAsync<GotrueException>(() => send());

        Assert.That(host.Handler.Requests, Has.Count.EqualTo(1), "a repeat could meet a used code or a changed password");
    }

    [Test, CancelAfter(10_000)]
    public async Task AWrongTotpCodeIsNotRetried(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(422,
            """{"code":422,"error_code":"mfa_verification_failed","msg":"Invalid TOTP code entered"}""", "mfa_verification_failed"));

        var e = await Assert.ThrowsAsync<GotrueException>(() => host.Client.VerifyFactorAsync(Jwt, "f1", "c1", "000000", ct));

        Assert.Multiple(() =>
        {
            Assert.That(e!.ErrorCode, Is.EqualTo("mfa_verification_failed"));
            Assert.That(host.Handler.Requests, Has.Count.EqualTo(1));
            Assert.That(host.Handler.Requests.Single().Uri.AbsolutePath, Is.EqualTo("/auth/v1/factors/f1/verify"));
        });
        Assert.That((HttpStatusCode)e!.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
    }
}

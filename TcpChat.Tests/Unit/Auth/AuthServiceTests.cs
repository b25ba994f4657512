using System.Net;
using NUnit.Framework;
using TcpChat.Server.Auth;
using TcpChat.Server.Protocol;

namespace TcpChat.Tests.Unit.Auth;

public class AuthServiceTests
{
    private static readonly IPAddress Client = IPAddress.Parse("203.0.113.7");

    [TestCase(400, "invalid_credentials", ErrorCodes.InvalidCredentials)]
    [TestCase(400, "user_banned", ErrorCodes.InvalidCredentials)]
    [TestCase(400, "email_not_confirmed", ErrorCodes.EmailNotConfirmed)]
    [TestCase(429, "over_request_rate_limit", ErrorCodes.RateLimited)]
    [TestCase(504, "request_timeout", ErrorCodes.AuthUnavailable)]
    [TestCase(500, "unexpected_failure", ErrorCodes.AuthUnavailable)]
    [TestCase(400, "captcha_failed", ErrorCodes.AuthUnavailable)]
    [CancelAfter(10_000)]
    public async Task SignInMapsErrorCodes(int status, string code, string expected, CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Error(status, code));

        var result = await host.Auth.SignInAsync("alice@example.com", "secret1", Client, ct);

        Assert.That(result.ErrorCode, Is.EqualTo(expected));
    }

    [Test, CancelAfter(10_000)]
    public async Task BannedUserIsToldSo(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Error(400, "user_banned", "User is banned"));

        var result = await host.Auth.SignInAsync("alice@example.com", "secret1", Client, ct);

        Assert.That(result.ErrorText, Is.EqualTo("account is banned"));
    }

    [TestCase(400, """{"error":"invalid_grant","error_description":"Invalid login credentials"}""", ErrorCodes.InvalidCredentials)]
    [TestCase(400, """{"error":"invalid_grant","error_description":"Email not confirmed"}""", ErrorCodes.EmailNotConfirmed)]
    [TestCase(401, """{"message":"Invalid API key","hint":"Double check your API key."}""", ErrorCodes.AuthUnavailable)]
    [TestCase(401, """{"message":"No API key found in request"}""", ErrorCodes.AuthUnavailable)]
    [CancelAfter(10_000)]
    public async Task SignInMapsOAuthAndGatewayShapes(int status, string body, string expected, CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(status, body));

        var result = await host.Auth.SignInAsync("alice@example.com", "secret1", Client, ct);

        Assert.That(result.ErrorCode, Is.EqualTo(expected));
    }

    [Test, CancelAfter(10_000)]
    public async Task ErrorCodeHeaderCountsEvenWithoutAJsonBody(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ =>
        {
            var response = FakeSupabaseHandler.Text(400, "Invalid login credentials", "text/plain");
            response.Headers.TryAddWithoutValidation("x-sb-error-code", "invalid_credentials");
            return response;
        });

        var result = await host.Auth.SignInAsync("alice@example.com", "secret1", Client, ct);

        Assert.That(result.ErrorCode, Is.EqualTo(ErrorCodes.InvalidCredentials));
    }

    [Test, CancelAfter(10_000)]
    public async Task NonJsonClientErrorWithoutCodeIsAuthUnavailable(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Text(403, "<html>Forbidden by WAF</html>"));

        var result = await host.Auth.SignInAsync("alice@example.com", "secret1", Client, ct);

        Assert.That(result.ErrorCode, Is.EqualTo(ErrorCodes.AuthUnavailable));
    }

    [Test, CancelAfter(10_000)]
    public async Task NonJsonSuccessIsAuthUnavailable(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Text(200, "<html>captive portal</html>"));

        var result = await host.Auth.SignInAsync("alice@example.com", "secret1", Client, ct);

        Assert.That(result.ErrorCode, Is.EqualTo(ErrorCodes.AuthUnavailable));
    }

    [Test, CancelAfter(10_000)]
    public async Task SignInBuildsTheIdentity(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(200, TestJson.Session(expiresAt: 1_900_000_000)));

        var result = await host.Auth.SignInAsync("alice@example.com", "secret1", Client, ct);

        Assert.Multiple(() =>
        {
            Assert.That(result.Succeeded, Is.True);
            Assert.That(result.Identity!.UserId, Is.EqualTo(TestJson.UserId));
            Assert.That(result.Identity.Email, Is.EqualTo("alice@example.com"));
            Assert.That(result.Identity.ExpiresAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1_900_000_000)));
            Assert.That(result.Identity.Session?.RefreshToken, Is.EqualTo("refresh-1"));
        });
    }

    [TestCase(422, "weak_password", "Password should be at least 6 characters.", ErrorCodes.WeakPassword)]
    [TestCase(400, "validation_failed", "Password cannot be longer than 72 characters", ErrorCodes.WeakPassword)]
    [TestCase(400, "validation_failed", "Unable to validate email address: invalid format", ErrorCodes.InvalidEmail)]
    [TestCase(400, "validation_failed", "An email address is too long", ErrorCodes.InvalidEmail)]
    [TestCase(400, "email_address_invalid", "Email address \\\"x@y\\\" is invalid", ErrorCodes.InvalidEmail)]
    [TestCase(400, "email_address_not_authorized", "Email address \\\"x@y\\\" cannot be used as it is not authorized", ErrorCodes.InvalidEmail)]
    [TestCase(422, "signup_disabled", "Signups not allowed for this instance", ErrorCodes.SignupDisabled)]
    [TestCase(400, "email_provider_disabled", "Email signups are disabled", ErrorCodes.SignupDisabled)]
    [TestCase(422, "user_already_exists", "User already registered", ErrorCodes.UserExists)]
    [TestCase(429, "over_email_send_rate_limit", "email rate limit exceeded", ErrorCodes.RateLimited)]
    [TestCase(500, "unexpected_failure", "Error sending confirmation email", ErrorCodes.AuthUnavailable)]
    [CancelAfter(10_000)]
    public async Task SignUpMapsErrorCodes(int status, string code, string msg, string expected, CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Error(status, code, msg));

        var result = await host.Auth.SignUpAsync("alice@example.com", "secret1", Client, ct);

        Assert.That(result.ErrorCode, Is.EqualTo(expected));
    }

    [Test, CancelAfter(10_000)]
    public async Task SignUpWithAutoConfirmSignsIn(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(200, TestJson.Session()));

        var result = await host.Auth.SignUpAsync("alice@example.com", "secret1", Client, ct);

        Assert.Multiple(() =>
        {
            Assert.That(result.Succeeded, Is.True);
            Assert.That(result.ConfirmationSent, Is.False);
            Assert.That(result.Identity?.UserId, Is.EqualTo(TestJson.UserId));
        });
    }

    [TestCase("""[{"identity_id":"i1","provider":"email"}]""")]
    [TestCase("[]")]
    [CancelAfter(10_000)]
    public async Task SignUpWithConfirmationAndObfuscatedUserBothAskToConfirm(string identities, CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(200, TestJson.User(identities: identities)));

        var result = await host.Auth.SignUpAsync("alice@example.com", "secret1", Client, ct);

        Assert.Multiple(() =>
        {
            Assert.That(result.Succeeded, Is.True);
            Assert.That(result.ConfirmationSent, Is.True);
            Assert.That(result.Identity, Is.Null);
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task SignUpRefusesAnOverlongPasswordLocally(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();

        // 40 characters, 80 UTF-8 bytes: GoTrue counts bytes.
        var result = await host.Auth.SignUpAsync("alice@example.com", new string('é', 40), Client, ct);

        Assert.Multiple(() =>
        {
            Assert.That(result.ErrorCode, Is.EqualTo(ErrorCodes.WeakPassword));
            Assert.That(host.Handler.Requests, Is.Empty);
        });
    }

    [TestCase(200, "{}")]
    [TestCase(429, """{"code":429,"error_code":"over_email_send_rate_limit","msg":"For security purposes, you can only request this after 42 seconds."}""")]
    [TestCase(400, """{"code":400,"error_code":"email_address_not_authorized","msg":"not authorized"}""")]
    [TestCase(500, """{"code":500,"error_code":"unexpected_failure","msg":"Error sending recovery email"}""")]
    [TestCase(400, """{"code":400,"error_code":"validation_failed","msg":"Unable to validate email address: invalid format"}""")]
    [CancelAfter(10_000)]
    public async Task RecoverNeverRevealsWhetherTheAccountExists(int status, string body, CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(status, body));

        var result = await host.Auth.RecoverAsync("alice@example.com", Client, ct);

        Assert.That(result, Is.EqualTo(LoginResult.Done()));
    }

    [Test, CancelAfter(10_000)]
    public async Task RecoverWhenSupabaseIsUnreachableIsAuthUnavailable(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Responder = (_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");

        var result = await host.Auth.RecoverAsync("alice@example.com", Client, ct);

        Assert.That(result.ErrorCode, Is.EqualTo(ErrorCodes.AuthUnavailable));
    }

    [Test, CancelAfter(10_000)]
    public async Task PerAddressThrottleRefusesAfterTheBurstWhileAnotherAddressPasses(CancellationToken ct)
    {
        using var host = AuthTestHost.Create(s =>
        {
            s["Supabase:LoginsPerMinutePerAddress"] = "1";
            s["Supabase:LoginBurstPerAddress"] = "3";
        });
        host.Handler.Respond(_ => FakeSupabaseHandler.Error(400, "invalid_credentials"));
        var abuser = IPAddress.Parse("198.51.100.1");

        for (int i = 0; i < 3; i++)
        {
            var allowed = await host.Auth.SignInAsync("a@example.com", "wrong", abuser, ct);
            Assert.That(allowed.ErrorCode, Is.EqualTo(ErrorCodes.InvalidCredentials));
        }

        var refused = await host.Auth.SignInAsync("a@example.com", "wrong", abuser, ct);
        var refusedRecover = await host.Auth.RecoverAsync("a@example.com", abuser, ct);
        var other = await host.Auth.SignInAsync("b@example.com", "wrong", IPAddress.Parse("198.51.100.2"), ct);

        Assert.Multiple(() =>
        {
            Assert.That(refused.ErrorCode, Is.EqualTo(ErrorCodes.RateLimited));
            Assert.That(refused.ErrorText, Does.Contain("your address"));
            Assert.That(refusedRecover.ErrorCode, Is.EqualTo(ErrorCodes.RateLimited));
            Assert.That(other.ErrorCode, Is.EqualTo(ErrorCodes.InvalidCredentials));
            Assert.That(host.Handler.Requests, Has.Count.EqualTo(4), "refused logins never reach Supabase");
        });
    }

    [Test]
    public void ThrottleGroupsIPv6By64AndMapsIPv4()
    {
        Assert.Multiple(() =>
        {
            Assert.That(LoginThrottle.Normalize(IPAddress.Parse("::ffff:192.0.2.1")), Is.EqualTo(IPAddress.Parse("192.0.2.1")));
            Assert.That(LoginThrottle.Normalize(IPAddress.Parse("2001:db8:1:2:aaaa::1")), Is.EqualTo(IPAddress.Parse("2001:db8:1:2::")));
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task ThrottleCanBeTurnedOff(CancellationToken ct)
    {
        using var host = AuthTestHost.Create(s =>
        {
            s["Supabase:LoginsPerMinutePerAddress"] = "0";
            s["Supabase:LoginBurstPerAddress"] = "1";
        });
        host.Handler.Respond(_ => FakeSupabaseHandler.Error(400, "invalid_credentials"));

        for (int i = 0; i < 5; i++)
        {
            var result = await host.Auth.SignInAsync("a@example.com", "wrong", Client, ct);
            Assert.That(result.ErrorCode, Is.EqualTo(ErrorCodes.InvalidCredentials));
        }
    }

    [TestCase(200, null, nameof(RefreshStatus.Refreshed))]
    [TestCase(400, "refresh_token_not_found", nameof(RefreshStatus.Gone))]
    [TestCase(400, "refresh_token_already_used", nameof(RefreshStatus.Gone))]
    [TestCase(400, "session_not_found", nameof(RefreshStatus.Gone))]
    [TestCase(400, "session_expired", nameof(RefreshStatus.Gone))]
    [TestCase(400, "user_banned", nameof(RefreshStatus.Gone))]
    [TestCase(403, "user_not_found", nameof(RefreshStatus.Gone))]
    [TestCase(429, "over_request_rate_limit", nameof(RefreshStatus.Unavailable))]
    [TestCase(503, "unexpected_failure", nameof(RefreshStatus.Unavailable))]
    [CancelAfter(10_000)]
    public async Task RefreshReportsGoneOrUnavailable(int status, string? code, string expected, CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => code is null ? FakeSupabaseHandler.Json(200, TestJson.Session(refreshToken: "refresh-2")) : FakeSupabaseHandler.Error(status, code));

        var result = await host.Auth.RefreshAsync(new Session { AccessToken = "a.b.c", RefreshToken = "refresh-1" }, ct);

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(Enum.Parse<RefreshStatus>(expected)));
            Assert.That(result.Session?.RefreshToken, Is.EqualTo(code is null ? "refresh-2" : null));
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task RefreshWithOAuthShapeIsGone(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(400, """{"error":"invalid_grant","error_description":"Invalid Refresh Token: Refresh Token Not Found"}"""));

        var result = await host.Auth.RefreshAsync(new Session { RefreshToken = "refresh-1" }, ct);

        Assert.That(result.Status, Is.EqualTo(RefreshStatus.Gone));
    }
}

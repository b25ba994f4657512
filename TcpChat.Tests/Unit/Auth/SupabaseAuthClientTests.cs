using System.Diagnostics;
using System.Net;
using System.Text.Json;
using NUnit.Framework;
using TcpChat.Server.Auth;
using TcpChat.Server.Protocol;

namespace TcpChat.Tests.Unit.Auth;

public class SupabaseAuthClientTests
{
    private static readonly IPAddress Client = IPAddress.Parse("203.0.113.7");

    [Test, CancelAfter(10_000)]
    public async Task PasswordGrantSendsApikeyAndNoAuthorization(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(200, TestJson.Session()));

        var session = await host.Client.SignInWithEmailAsync("alice@example.com", "pa ss", Client, ct);

        var request = host.Handler.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(session.AccessToken, Is.EqualTo("header.payload.sig"));
            Assert.That(session.User?.Id, Is.EqualTo(TestJson.UserId));
            Assert.That(request.Method, Is.EqualTo(HttpMethod.Post));
            Assert.That(request.Uri.ToString(), Is.EqualTo(AuthTestHost.AuthBase + "/token?grant_type=password"));
            Assert.That(request.Header("apikey"), Is.EqualTo(AuthTestHost.AnonKey));
            Assert.That(request.Header("Authorization"), Is.Null);
            Assert.That(request.Header("Sb-Forwarded-For"), Is.Null);
            Assert.That(request.Header("X-Client-Info"), Is.EqualTo("tcpchat/1.0"));
            Assert.That(request.Header("Content-Type"), Does.StartWith("application/json"));
        });
        using var body = JsonDocument.Parse(request.Body!);
        Assert.Multiple(() =>
        {
            Assert.That(body.RootElement.GetProperty("email").GetString(), Is.EqualTo("alice@example.com"));
            Assert.That(body.RootElement.GetProperty("password").GetString(), Is.EqualTo("pa ss"));
            Assert.That(body.RootElement.TryGetProperty("grant_type", out _), Is.False, "grant_type goes in the query");
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task SignUpSendsBearerAnonKey(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(200, TestJson.User()));

        var session = await host.Client.SignUpWithEmailAsync("alice@example.com", "secret1", Client, ct);

        var request = host.Handler.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(session.AccessToken, Is.Null, "confirmation required: no tokens, like Supabase.Gotrue");
            Assert.That(session.User?.Email, Is.EqualTo("alice@example.com"));
            Assert.That(request.Uri.AbsolutePath, Is.EqualTo("/auth/v1/signup"));
            Assert.That(request.Header("apikey"), Is.EqualTo(AuthTestHost.AnonKey));
            Assert.That(request.Header("Authorization"), Is.EqualTo("Bearer " + AuthTestHost.AnonKey));
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task SignUpWithAutoConfirmReturnsASession(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(200, TestJson.Session()));

        var session = await host.Client.SignUpWithEmailAsync("alice@example.com", "secret1", null, ct);

        Assert.That(session.AccessToken, Is.EqualTo("header.payload.sig"));
    }

    [Test, CancelAfter(10_000)]
    public async Task UserAndLogoutSendTheAccessToken(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(r => r.Uri.AbsolutePath.EndsWith("/logout", StringComparison.Ordinal)
            ? new HttpResponseMessage(HttpStatusCode.NoContent)
            : FakeSupabaseHandler.Json(200, TestJson.User()));

        var user = await host.Client.GetUserAsync("the.access.token", ct);
        await host.Client.SignOutAsync("the.access.token", SignOutScope.Local, ct);

        var get = host.Handler.Calls("/user").Single();
        var logout = host.Handler.Calls("/logout").Single();
        Assert.Multiple(() =>
        {
            Assert.That(user.Id, Is.EqualTo(TestJson.UserId));
            Assert.That(get.Method, Is.EqualTo(HttpMethod.Get));
            Assert.That(get.Header("apikey"), Is.EqualTo(AuthTestHost.AnonKey));
            Assert.That(get.Header("Authorization"), Is.EqualTo("Bearer the.access.token"));
            Assert.That(logout.Uri.Query, Is.EqualTo("?scope=local"));
            Assert.That(logout.Header("Authorization"), Is.EqualTo("Bearer the.access.token"));
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task RefreshRecoverSettingsAndJwksSendNoAuthorization(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(r => r.Uri.AbsolutePath switch
        {
            var p when p.EndsWith("/token", StringComparison.Ordinal) => FakeSupabaseHandler.Json(200, TestJson.Session(refreshToken: "refresh-2")),
            var p when p.EndsWith("/settings", StringComparison.Ordinal) => FakeSupabaseHandler.Json(200, """{"external":{"email":true},"disable_signup":false,"mailer_autoconfirm":true}"""),
            var p when p.EndsWith("/jwks.json", StringComparison.Ordinal) => FakeSupabaseHandler.Json(200, """{"keys":[]}"""),
            _ => FakeSupabaseHandler.Json(200, "{}"),
        });

        var refreshed = await host.Client.RefreshAccessTokenAsync("refresh-1", ct);
        var recovered = await host.Client.ResetPasswordForEmailAsync("alice@example.com", Client, ct);
        var settings = await host.Client.SettingsAsync(ct);
        var jwks = await host.Client.GetJwksAsync(ct);

        var refresh = host.Handler.Calls("/token").Single();
        Assert.Multiple(() =>
        {
            Assert.That(refreshed.RefreshToken, Is.EqualTo("refresh-2"));
            Assert.That(refresh.Uri.Query, Is.EqualTo("?grant_type=refresh_token"));
            Assert.That(refresh.Body, Is.EqualTo("""{"refresh_token":"refresh-1"}"""));
            Assert.That(recovered, Is.True);
            Assert.That(host.Handler.Calls("/recover").Single().Body, Is.EqualTo("""{"email":"alice@example.com"}"""));
            Assert.That(settings.MailerAutoconfirm, Is.True);
            Assert.That(jwks, Is.EqualTo("""{"keys":[]}"""));
            Assert.That(host.Handler.Requests.Select(r => r.Header("Authorization")), Is.All.Null);
            Assert.That(host.Handler.Requests.Select(r => r.Header("apikey")), Is.All.EqualTo(AuthTestHost.AnonKey));
            Assert.That(host.Handler.Requests.Select(r => r.Header("Sb-Forwarded-For")), Is.All.Null);
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task ForwardClientIpSendsTheAddressWithTheSecretKey(CancellationToken ct)
    {
        using var host = AuthTestHost.Create(s =>
        {
            s["Supabase:ForwardClientIp"] = "true";
            s["Supabase:SecretKey"] = "sb_secret_test";
        });
        host.Handler.Respond(r => r.Uri.AbsolutePath.EndsWith("/signup", StringComparison.Ordinal)
            ? FakeSupabaseHandler.Json(200, TestJson.User())
            : FakeSupabaseHandler.Json(200, TestJson.Session()));

        await host.Client.SignInWithEmailAsync("alice@example.com", "secret1", IPAddress.Parse("::ffff:198.51.100.9"), ct);
        await host.Client.SignUpWithEmailAsync("bob@example.com", "secret1", IPAddress.Parse("198.51.100.10"), ct);

        var signIn = host.Handler.Calls("/token").Single();
        var signUp = host.Handler.Calls("/signup").Single();
        Assert.Multiple(() =>
        {
            Assert.That(signIn.Header("Sb-Forwarded-For"), Is.EqualTo("198.51.100.9"));
            Assert.That(signIn.Header("apikey"), Is.EqualTo("sb_secret_test"));
            Assert.That(signIn.Header("Authorization"), Is.Null);
            Assert.That(signUp.Header("Sb-Forwarded-For"), Is.EqualTo("198.51.100.10"));
            Assert.That(signUp.Header("Authorization"), Is.EqualTo("Bearer sb_secret_test"), "Authorization must equal apikey exactly");
        });
    }

    [TestCase(400, "invalid_credentials")]
    [TestCase(422, "weak_password")]
    [TestCase(429, "over_request_rate_limit")]
    [CancelAfter(10_000)]
    public async Task ClientErrorsAreNeverRetried(int status, string code, CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Error(status, code));

        var e = await Assert.ThrowsAsync<GotrueException>(() => host.Client.SignInWithEmailAsync("a@example.com", "secret1", Client, ct));

        Assert.Multiple(() =>
        {
            Assert.That(e!.StatusCode, Is.EqualTo(status));
            Assert.That(e.ErrorCode, Is.EqualTo(code));
            Assert.That(host.Handler.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task ServiceUnavailableIsRetriedTwiceThenAuthUnavailable(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Text(503, "<html>503 Service Unavailable</html>"));

        var result = await host.Auth.SignInAsync("a@example.com", "secret1", Client, ct);

        Assert.Multiple(() =>
        {
            Assert.That(result.ErrorCode, Is.EqualTo(ErrorCodes.AuthUnavailable));
            Assert.That(host.Handler.Requests, Has.Count.EqualTo(3));
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task ARetriedRequestCanSucceed(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        int calls = 0;
        host.Handler.Respond(_ => Interlocked.Increment(ref calls) == 1
            ? FakeSupabaseHandler.Error(504, "request_timeout")
            : FakeSupabaseHandler.Json(200, TestJson.Session()));

        var result = await host.Auth.SignInAsync("a@example.com", "secret1", Client, ct);

        Assert.Multiple(() =>
        {
            Assert.That(result.Succeeded, Is.True);
            Assert.That(host.Handler.Requests, Has.Count.EqualTo(2));
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task ConnectionFailureIsRetriedTwiceThenAuthUnavailable(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Responder = (_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");

        var result = await host.Auth.SignInAsync("a@example.com", "secret1", Client, ct);

        Assert.Multiple(() =>
        {
            Assert.That(result.ErrorCode, Is.EqualTo(ErrorCodes.AuthUnavailable));
            Assert.That(host.Handler.Requests, Has.Count.EqualTo(3));
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task SignUpIsNotRetriedAfterAServerError(CancellationToken ct)
    {
        // A 500 may mean the user was created and the mail failed: a retry would resend it.
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Error(500, "unexpected_failure", "Error sending confirmation email"));

        var result = await host.Auth.SignUpAsync("a@example.com", "secret1", Client, ct);

        Assert.Multiple(() =>
        {
            Assert.That(result.ErrorCode, Is.EqualTo(ErrorCodes.AuthUnavailable));
            Assert.That(host.Handler.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task SignUpIsRetriedWhenTheGatewaySaysUnavailable(CancellationToken ct)
    {
        using var host = AuthTestHost.Create();
        host.Handler.Respond(_ => FakeSupabaseHandler.Text(503, "upstream connect error"));

        var result = await host.Auth.SignUpAsync("a@example.com", "secret1", Client, ct);

        Assert.Multiple(() =>
        {
            Assert.That(result.ErrorCode, Is.EqualTo(ErrorCodes.AuthUnavailable));
            Assert.That(host.Handler.Requests, Has.Count.EqualTo(3));
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task RecoverIsNotRetriedAfterAnAttemptTimedOut(CancellationToken ct)
    {
        using var host = AuthTestHost.Create(s => s["Supabase:Timeout"] = "00:00:00.400");
        host.Handler.Responder = async (_, token) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            throw new UnreachableException();
        };

        var e = await Assert.ThrowsAsync<GotrueException>(() => host.Client.ResetPasswordForEmailAsync("a@example.com", Client, ct));

        Assert.Multiple(() =>
        {
            Assert.That(e!.TimedOut, Is.True);
            Assert.That(e.StatusCode, Is.Zero);
            Assert.That(host.Handler.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task TimeoutIsAuthUnavailableQuickly(CancellationToken ct)
    {
        using var host = AuthTestHost.Create(s => s["Supabase:Timeout"] = "00:00:00.300");
        host.Handler.Responder = async (_, token) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            throw new UnreachableException();
        };

        var watch = Stopwatch.StartNew();
        var result = await host.Auth.SignInAsync("a@example.com", "secret1", Client, ct);

        Assert.Multiple(() =>
        {
            Assert.That(result.ErrorCode, Is.EqualTo(ErrorCodes.AuthUnavailable));
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
        });
    }

    [Test, CancelAfter(10_000)]
    public async Task CallsWaitForTheDevEndpointToBind(CancellationToken ct)
    {
        using var host = AuthTestHost.Create(s =>
        {
            s["Supabase:Url"] = null;
            s["Supabase:AnonKey"] = null;
        });
        host.Handler.Respond(_ => FakeSupabaseHandler.Json(200, TestJson.Session()));
        var endpoint = host.Services.GetService(typeof(SupabaseEndpoint)) as SupabaseEndpoint;

        var pending = host.Client.SignInWithEmailAsync("a@example.com", "secret1", null, ct);
        Assert.That(pending.IsCompleted, Is.False);
        endpoint!.Set(new Uri("http://127.0.0.1:54321"), "dev-key");
        await pending.WaitAsync(TimeSpan.FromSeconds(5), ct);

        var request = host.Handler.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Uri.ToString(), Is.EqualTo("http://127.0.0.1:54321/auth/v1/token?grant_type=password"));
            Assert.That(request.Header("apikey"), Is.EqualTo("dev-key"));
        });
    }
}

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NUnit.Framework;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Integration.DevAuth;

[Parallelizable(ParallelScope.All)]
public class DevAuthServerTests
{
    private const int Timeout = 30_000;

    [Test, CancelAfter(Timeout)]
    public async Task SignUpWithAutoConfirmReturnsSession(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);

        using var response = await server.PostAsync("signup", new { email = "Alice@Example.COM", password = "secret123", data = new { nick = "al" } }, ct);
        var body = await DevAuthHttp.ReadObjectAsync(response, ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body["token_type"]!.GetValue<string>(), Is.EqualTo("bearer"));
            Assert.That(body["expires_in"]!.GetValue<long>(), Is.EqualTo(3600));
            Assert.That(body["expires_at"]!.GetValue<long>(), Is.EqualTo(server.Clock.GetUtcNow().ToUnixTimeSeconds() + 3600).Within(1));
            Assert.That(body["refresh_token"]!.GetValue<string>(), Has.Length.GreaterThanOrEqualTo(12));
            var user = body["user"]!;
            Assert.That(user["email"]!.GetValue<string>(), Is.EqualTo("alice@example.com"));
            Assert.That(user["aud"]!.GetValue<string>(), Is.EqualTo("authenticated"));
            Assert.That(user["role"]!.GetValue<string>(), Is.EqualTo("authenticated"));
            Assert.That(user["phone"]!.GetValue<string>(), Is.Empty);
            Assert.That(user["email_confirmed_at"], Is.Not.Null);
            Assert.That(user["user_metadata"]!["nick"]!.GetValue<string>(), Is.EqualTo("al"));
            Assert.That(user["identities"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(user["is_anonymous"]!.GetValue<bool>(), Is.False);
        }

        using var login = await server.LoginAsync("ALICE@example.com", "secret123", ct);
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test, CancelAfter(Timeout)]
    public async Task AccessTokenVerifiesAgainstJwks(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);
        var session = await server.NewSessionAsync("jwks@example.com", ct);
        var accessToken = session["access_token"]!.GetValue<string>();

        // The JWKS needs no apikey, as GoTrue documents it.
        using var client = DevAuthHttp.NewClient(server.Root);
        using var jwksResponse = await client.GetAsync("auth/v1/.well-known/jwks.json", ct);
        Assert.That(jwksResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(jwksResponse.Headers.CacheControl!.ToString(), Is.EqualTo("public, max-age=600"));
        var jwks = new JsonWebKeySet(await jwksResponse.Content.ReadAsStringAsync(ct));

        var issuer = server.Root.AbsoluteUri.TrimEnd('/') + "/auth/v1";
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(accessToken, new TokenValidationParameters
        {
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = ["ES256"],
            ValidIssuer = issuer,
            ValidAudience = "authenticated",
        });
        Assert.That(result.IsValid, Is.True, result.Exception?.ToString());

        var jwt = new JsonWebToken(accessToken);
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(jwt.EncodedPayload))!.AsObject();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(jwt.Alg, Is.EqualTo("ES256"));
            Assert.That(jwt.Kid, Is.EqualTo(jwks.Keys.Single().Kid));
            Assert.That(payload["iss"]!.GetValue<string>(), Is.EqualTo(issuer));
            Assert.That(payload["aud"]!.GetValue<string>(), Is.EqualTo("authenticated"), "aud is a plain string");
            Assert.That(payload["sub"]!.GetValue<string>(), Is.EqualTo(session["user"]!["id"]!.GetValue<string>()));
            Assert.That(payload["exp"]!.GetValue<long>(), Is.EqualTo(session["expires_at"]!.GetValue<long>()));
            Assert.That(payload["email"]!.GetValue<string>(), Is.EqualTo("jwks@example.com"));
            Assert.That(payload["phone"]!.GetValue<string>(), Is.Empty);
            Assert.That(payload["role"]!.GetValue<string>(), Is.EqualTo("authenticated"));
            Assert.That(payload["aal"]!.GetValue<string>(), Is.EqualTo("aal1"));
            Assert.That(payload["amr"]![0]!["method"]!.GetValue<string>(), Is.EqualTo("password"));
            Assert.That(payload["app_metadata"]!["provider"]!.GetValue<string>(), Is.EqualTo("email"));
            Assert.That(payload["user_metadata"], Is.InstanceOf<JsonObject>());
            Assert.That(Guid.TryParse(payload["session_id"]!.GetValue<string>(), out _), Is.True);
            Assert.That(payload["is_anonymous"]!.GetValue<bool>(), Is.False);
            Assert.That(payload.ContainsKey("nbf") || payload.ContainsKey("jti"), Is.False);
        }
    }

    [Test, CancelAfter(Timeout)]
    public async Task WrongPasswordAndUnknownEmailAreInvalidCredentials(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);
        await server.NewSessionAsync("bob@example.com", ct);

        using var wrong = await server.LoginAsync("bob@example.com", "wrong-password", ct);
        var body = await DevAuthAssert.ErrorAsync(wrong, HttpStatusCode.BadRequest, "invalid_credentials", ct);
        Assert.That(body["msg"]!.GetValue<string>(), Is.EqualTo("Invalid login credentials"));

        using var unknown = await server.LoginAsync("nobody@example.com", "secret123", ct);
        await DevAuthAssert.ErrorAsync(unknown, HttpStatusCode.BadRequest, "invalid_credentials", ct);

        using var grant = await server.PostAsync("token?grant_type=magic", new { }, ct);
        body = await DevAuthAssert.ErrorAsync(grant, HttpStatusCode.BadRequest, "invalid_credentials", ct);
        Assert.That(body["msg"]!.GetValue<string>(), Is.EqualTo("unsupported_grant_type"));

        using var missing = await server.PostAsync("token?grant_type=password", new { password = "x" }, ct);
        await DevAuthAssert.ErrorAsync(missing, HttpStatusCode.BadRequest, "validation_failed", ct);
    }

    [Test, CancelAfter(Timeout)]
    public async Task SignUpOfExistingUserWithAutoConfirmIs422(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);
        await server.NewSessionAsync("dup@example.com", ct);

        using var again = await server.SignUpAsync("DUP@example.com", "other-password", ct);
        await DevAuthAssert.ErrorAsync(again, HttpStatusCode.UnprocessableEntity, "user_already_exists", ct);
    }

    [Test, CancelAfter(Timeout)]
    public async Task WithoutAutoConfirmSignUpReturnsBareUserAndLoginNeedsConfirmation(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct, o => o.AutoConfirm = false);

        using var signUp = await server.SignUpAsync("carol@example.com", "secret123", ct);
        var user = await DevAuthHttp.ReadObjectAsync(signUp, ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(signUp.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(user.ContainsKey("access_token"), Is.False);
            Assert.That(user["confirmation_sent_at"], Is.Not.Null);
            Assert.That(user.ContainsKey("email_confirmed_at"), Is.False);
            Assert.That(user["identities"]!.AsArray(), Has.Count.EqualTo(1));
        }

        using var wrong = await server.LoginAsync("carol@example.com", "wrong-password", ct);
        await DevAuthAssert.ErrorAsync(wrong, HttpStatusCode.BadRequest, "invalid_credentials", ct);
        using var login = await server.LoginAsync("carol@example.com", "secret123", ct);
        await DevAuthAssert.ErrorAsync(login, HttpStatusCode.BadRequest, "email_not_confirmed", ct);

        // Unconfirmed: the real user again, but only once per mail window.
        using var tooSoon = await server.SignUpAsync("carol@example.com", "secret123", ct);
        await DevAuthAssert.ErrorAsync(tooSoon, HttpStatusCode.TooManyRequests, "over_email_send_rate_limit", ct);
        server.Clock.Advance(TimeSpan.FromSeconds(61));
        using var resent = await server.SignUpAsync("carol@example.com", "secret123", ct);
        var again = await DevAuthHttp.ReadObjectAsync(resent, ct);
        Assert.That(again["id"]!.GetValue<string>(), Is.EqualTo(user["id"]!.GetValue<string>()));

        // Confirmed through the admin API: login works, and a new signup gets an obfuscated user.
        using var confirm = await server.SendAsync(HttpMethod.Put, "admin/users/" + user["id"], server.Options.SecretKey, ct, new { email_confirm = true });
        Assert.That(confirm.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var confirmedLogin = await server.LoginAsync("carol@example.com", "secret123", ct);
        Assert.That(confirmedLogin.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        using var obfuscated = await server.SignUpAsync("carol@example.com", "whatever1", ct);
        var fake = await DevAuthHttp.ReadObjectAsync(obfuscated, ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(obfuscated.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(fake["id"]!.GetValue<string>(), Is.Not.EqualTo(user["id"]!.GetValue<string>()));
            Assert.That(fake["role"]!.GetValue<string>(), Is.Empty);
            Assert.That(fake["identities"]!.AsArray(), Is.Empty);
            Assert.That(fake.ContainsKey("access_token"), Is.False);
        }
    }

    [Test, CancelAfter(Timeout)]
    public async Task PasswordLengthIsCountedInUtf8Bytes(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);

        using var weak = await server.SignUpAsync("weak@example.com", "12345", ct);
        var body = await DevAuthAssert.ErrorAsync(weak, HttpStatusCode.UnprocessableEntity, "weak_password", ct);
        Assert.That(body["weak_password"]!["reasons"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EqualTo(new[] { "length" }));

        // Three characters, six bytes: long enough.
        using var accented = await server.SignUpAsync("accent@example.com", "ééé", ct);
        Assert.That(accented.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // 36 characters, 72 bytes: allowed; one more byte is not, and that is validation_failed, not weak_password.
        using var max = await server.SignUpAsync("max@example.com", new string('é', 36), ct);
        Assert.That(max.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var tooLong = await server.SignUpAsync("long@example.com", new string('é', 36) + "x", ct);
        await DevAuthAssert.ErrorAsync(tooLong, HttpStatusCode.BadRequest, "validation_failed", ct);

        // Password is checked before the address.
        using var both = await server.SignUpAsync("not an email", "123", ct);
        await DevAuthAssert.ErrorAsync(both, HttpStatusCode.UnprocessableEntity, "weak_password", ct);
    }

    [TestCase("no-at-sign")]
    [TestCase("two@@example.com")]
    [TestCase("spaces in@example.com")]
    [TestCase("unicodé@example.com")]
    [TestCase("trailing@example.com\n")]
    [CancelAfter(Timeout)]
    public async Task InvalidEmailIsValidationFailed(string email, CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);

        using var signUp = await server.SignUpAsync(email, "secret123", ct);
        await DevAuthAssert.ErrorAsync(signUp, HttpStatusCode.BadRequest, "validation_failed", ct);
        using var recover = await server.PostAsync("recover", new { email }, ct);
        await DevAuthAssert.ErrorAsync(recover, HttpStatusCode.BadRequest, "validation_failed", ct);
    }

    [Test, CancelAfter(Timeout)]
    public async Task TooLongEmailIsValidationFailed(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);

        using var signUp = await server.SignUpAsync(new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 4)), "secret123", ct);
        var body = await DevAuthAssert.ErrorAsync(signUp, HttpStatusCode.BadRequest, "validation_failed", ct);
        Assert.That(body["msg"]!.GetValue<string>(), Is.EqualTo("An email address is too long"));
    }

    [Test, CancelAfter(Timeout)]
    public async Task EmptyOrInvalidBodyIsBadJson(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);

        using var empty = await server.Client.PostAsync("auth/v1/signup", new StringContent(""), ct);
        await DevAuthAssert.ErrorAsync(empty, HttpStatusCode.BadRequest, "bad_json", ct);
        using var garbage = await server.Client.PostAsync("auth/v1/token?grant_type=password", new StringContent("{not json", Encoding.UTF8, "text/plain"), ct);
        await DevAuthAssert.ErrorAsync(garbage, HttpStatusCode.BadRequest, "bad_json", ct);
        using var wrongType = await server.PostAsync("signup", new { email = 5, password = "secret123" }, ct);
        await DevAuthAssert.ErrorAsync(wrongType, HttpStatusCode.BadRequest, "bad_json", ct);
    }

    [Test, CancelAfter(Timeout)]
    public async Task RecoverAnswersEmptyObjectAndLimitsMailsPerUser(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);
        await server.NewSessionAsync("dave@example.com", ct);

        using var unknown = await server.PostAsync("recover", new { email = "ghost@example.com" }, ct);
        Assert.That(await unknown.Content.ReadAsStringAsync(ct), Is.EqualTo("{}"));
        using var unknownAgain = await server.PostAsync("recover", new { email = "ghost@example.com" }, ct);
        Assert.That(unknownAgain.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        using var known = await server.PostAsync("recover", new { email = "dave@example.com" }, ct);
        Assert.That(await known.Content.ReadAsStringAsync(ct), Is.EqualTo("{}"));
        using var tooSoon = await server.PostAsync("recover", new { email = "Dave@example.com" }, ct);
        var body = await DevAuthAssert.ErrorAsync(tooSoon, HttpStatusCode.TooManyRequests, "over_email_send_rate_limit", ct);
        Assert.That(body["msg"]!.GetValue<string>(), Does.StartWith("For security purposes, you can only request this after"));

        server.Clock.Advance(TimeSpan.FromSeconds(60));
        using var later = await server.PostAsync("recover", new { email = "dave@example.com" }, ct);
        Assert.That(later.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        using var missing = await server.PostAsync("recover", new { }, ct);
        await DevAuthAssert.ErrorAsync(missing, HttpStatusCode.BadRequest, "validation_failed", ct);
    }

    [Test, CancelAfter(Timeout)]
    public async Task GetUserChecksBearerToken(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);
        var session = await server.NewSessionAsync("erin@example.com", ct);
        var accessToken = session["access_token"]!.GetValue<string>();

        using var ok = await server.SendAsync(HttpMethod.Get, "user", accessToken, ct);
        var user = await DevAuthHttp.ReadObjectAsync(ok, ct);
        Assert.That(user["email"]!.GetValue<string>(), Is.EqualTo("erin@example.com"));

        using var none = await server.SendAsync(HttpMethod.Get, "user", null, ct);
        await DevAuthAssert.ErrorAsync(none, HttpStatusCode.Unauthorized, "no_authorization", ct);

        using var garbage = await server.SendAsync(HttpMethod.Get, "user", "not.a.jwt", ct);
        await DevAuthAssert.ErrorAsync(garbage, HttpStatusCode.Forbidden, "bad_jwt", ct);

        // A token signed by another server's key.
        await using var other = await DevAuthTestServer.StartAsync(ct);
        var foreign = await other.NewSessionAsync("erin@example.com", ct);
        using var forged = await server.SendAsync(HttpMethod.Get, "user", foreign["access_token"]!.GetValue<string>(), ct);
        await DevAuthAssert.ErrorAsync(forged, HttpStatusCode.Forbidden, "bad_jwt", ct);

        server.Clock.Advance(TimeSpan.FromSeconds(3601));
        using var expired = await server.SendAsync(HttpMethod.Get, "user", accessToken, ct);
        var body = await DevAuthAssert.ErrorAsync(expired, HttpStatusCode.Forbidden, "bad_jwt", ct);
        Assert.That(body["msg"]!.GetValue<string>(), Does.EndWith("token is expired"));
    }

    [Test, CancelAfter(Timeout)]
    public async Task LogoutScopes(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);
        await server.NewSessionAsync("frank@example.com", ct);

        async Task<string> LoginAsync()
        {
            using var response = await server.LoginAsync("frank@example.com", "secret123", ct);
            return (await DevAuthHttp.ReadObjectAsync(response, ct))["access_token"]!.GetValue<string>();
        }

        async Task<HttpStatusCode> UserStatusAsync(string token)
        {
            using var response = await server.SendAsync(HttpMethod.Get, "user", token, ct);
            return response.StatusCode;
        }

        var a = await LoginAsync();
        var b = await LoginAsync();
        var c = await LoginAsync();

        using var badScope = await server.SendAsync(HttpMethod.Post, "logout?scope=everyone", a, ct);
        await DevAuthAssert.ErrorAsync(badScope, HttpStatusCode.BadRequest, "validation_failed", ct);

        using var local = await server.SendAsync(HttpMethod.Post, "logout?scope=local", a, ct);
        Assert.That(local.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        using var afterLocal = await server.SendAsync(HttpMethod.Get, "user", a, ct);
        await DevAuthAssert.ErrorAsync(afterLocal, HttpStatusCode.Forbidden, "session_not_found", ct);
        Assert.That(await UserStatusAsync(b), Is.EqualTo(HttpStatusCode.OK));

        using var others = await server.SendAsync(HttpMethod.Post, "logout?scope=others", b, ct);
        Assert.That(others.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await UserStatusAsync(b), Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await UserStatusAsync(c), Is.EqualTo(HttpStatusCode.Forbidden));
        }

        var d = await LoginAsync();
        using var global = await server.SendAsync(HttpMethod.Post, "logout", b, ct);
        Assert.That(global.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(await global.Content.ReadAsStringAsync(ct), Is.Empty);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await UserStatusAsync(b), Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await UserStatusAsync(d), Is.EqualTo(HttpStatusCode.Forbidden));
        }

        // A second logout with the same token: the session is gone (auth-js treats 403 as "already logged out").
        using var twice = await server.SendAsync(HttpMethod.Post, "logout", b, ct);
        await DevAuthAssert.ErrorAsync(twice, HttpStatusCode.Forbidden, "session_not_found", ct);
    }

    [Test, CancelAfter(Timeout)]
    public async Task RefreshRotatesAndToleratesReuseWithinInterval(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);
        var session = await server.NewSessionAsync("gina@example.com", ct);
        var first = session["refresh_token"]!.GetValue<string>();

        using var refreshed = await server.RefreshAsync(first, ct);
        var second = await DevAuthHttp.ReadObjectAsync(refreshed, ct);
        var secondToken = second["refresh_token"]!.GetValue<string>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(refreshed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(secondToken, Is.Not.EqualTo(first));
            Assert.That(second["user"]!["email"]!.GetValue<string>(), Is.EqualTo("gina@example.com"));
        }

        // A concurrent refresh with the old token inside the interval gets the current token, not a new one.
        server.Clock.Advance(TimeSpan.FromSeconds(5));
        using var reused = await server.RefreshAsync(first, ct);
        var reusedBody = await DevAuthHttp.ReadObjectAsync(reused, ct);
        Assert.That(reusedBody["refresh_token"]!.GetValue<string>(), Is.EqualTo(secondToken));

        // The new access token belongs to the same, still live session.
        using var user = await server.SendAsync(HttpMethod.Get, "user", reusedBody["access_token"]!.GetValue<string>(), ct);
        Assert.That(user.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test, CancelAfter(Timeout)]
    public async Task RefreshTokenReuseOutsideIntervalRevokesSession(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);
        var session = await server.NewSessionAsync("hank@example.com", ct);
        var first = session["refresh_token"]!.GetValue<string>();

        using var refreshed = await server.RefreshAsync(first, ct);
        var second = await DevAuthHttp.ReadObjectAsync(refreshed, ct);

        server.Clock.Advance(TimeSpan.FromSeconds(11));
        using var stolen = await server.RefreshAsync(first, ct);
        await DevAuthAssert.ErrorAsync(stolen, HttpStatusCode.BadRequest, "refresh_token_already_used", ct);

        using var current = await server.RefreshAsync(second["refresh_token"]!.GetValue<string>(), ct);
        await DevAuthAssert.ErrorAsync(current, HttpStatusCode.BadRequest, "refresh_token_not_found", ct);
        using var user = await server.SendAsync(HttpMethod.Get, "user", second["access_token"]!.GetValue<string>(), ct);
        await DevAuthAssert.ErrorAsync(user, HttpStatusCode.Forbidden, "session_not_found", ct);
    }

    [Test, CancelAfter(Timeout)]
    public async Task RefreshRejectsMalformedAndUnknownTokens(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);

        using var shortToken = await server.RefreshAsync("abc", ct);
        await DevAuthAssert.ErrorAsync(shortToken, HttpStatusCode.BadRequest, "validation_failed", ct);
        using var garbage = await server.RefreshAsync("this is not a refresh token!", ct);
        await DevAuthAssert.ErrorAsync(garbage, HttpStatusCode.BadRequest, "validation_failed", ct);
        using var unknown = await server.RefreshAsync("abcdefghijklmnopqrstuvwxyz", ct);
        await DevAuthAssert.ErrorAsync(unknown, HttpStatusCode.BadRequest, "refresh_token_not_found", ct);

        using var missing = await server.PostAsync("token?grant_type=refresh_token", new { }, ct);
        var body = await DevAuthHttp.ReadObjectAsync(missing, ct);
        Assert.That(body["error"]!.GetValue<string>(), Is.EqualTo("invalid_request"), "shape D");
    }

    [Test, CancelAfter(Timeout)]
    public async Task ApiKeyIsRequiredWithGatewayShape(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);
        using var client = DevAuthHttp.NewClient(server.Root);

        using var missing = await client.GetAsync("auth/v1/settings", ct);
        var body = await DevAuthHttp.ReadObjectAsync(missing, ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(body["message"]!.GetValue<string>(), Is.EqualTo("No API key found in request"));
            Assert.That(body["hint"]!.GetValue<string>(), Is.EqualTo("No `apikey` request header or url param was found."));
            Assert.That(missing.Headers.Contains("x-sb-error-code"), Is.False);
        }

        client.DefaultRequestHeaders.Add("apikey", "sb_publishable_wrong");
        using var wrong = await client.GetAsync("auth/v1/health", ct);
        body = await DevAuthHttp.ReadObjectAsync(wrong, ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(body["message"]!.GetValue<string>(), Is.EqualTo("Invalid API key"));
            Assert.That(body["hint"]!.GetValue<string>(), Is.EqualTo("Double check your API key."));
        }

        using var bare = DevAuthHttp.NewClient(server.Root);
        using var query = await bare.GetAsync("auth/v1/health?apikey=" + server.Options.AnonKey, ct);
        Assert.That(query.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var secret = await bare.GetAsync("auth/v1/settings?apikey=" + server.Options.SecretKey, ct);
        var settings = await DevAuthHttp.ReadObjectAsync(secret, ct);
        Assert.That(settings["mailer_autoconfirm"]!.GetValue<bool>(), Is.True);
    }

    [Test, CancelAfter(Timeout)]
    public async Task ApiVersionHeaderSelectsShapeB(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);
        server.Client.DefaultRequestHeaders.Add("X-Supabase-Api-Version", "2024-01-01");

        using var wrong = await server.LoginAsync("nobody@example.com", "secret123", ct);
        var body = await DevAuthHttp.ReadObjectAsync(wrong, ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(body["code"]!.GetValue<string>(), Is.EqualTo("invalid_credentials"));
            Assert.That(body["message"]!.GetValue<string>(), Is.EqualTo("Invalid login credentials"));
            Assert.That(body.ContainsKey("error_code"), Is.False);
            Assert.That(wrong.Headers.GetValues("X-Supabase-Api-Version").Single(), Is.EqualTo("2024-01-01"));
            Assert.That(wrong.Headers.GetValues("x-sb-error-code").Single(), Is.EqualTo("invalid_credentials"));
        }

        using var weak = await server.SignUpAsync("weak@example.com", "123", ct);
        body = await DevAuthHttp.ReadObjectAsync(weak, ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(body["code"]!.GetValue<string>(), Is.EqualTo("weak_password"));
            Assert.That(body["weak_password"]!["reasons"]![0]!.GetValue<string>(), Is.EqualTo("length"));
        }
    }

    [Test, CancelAfter(Timeout)]
    public async Task AdminCanListBanUnbanAndDeleteUsers(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);
        var session = await server.NewSessionAsync("ivy@example.com", ct);
        await server.NewSessionAsync("jack@example.com", ct);
        var id = session["user"]!["id"]!.GetValue<string>();
        var accessToken = session["access_token"]!.GetValue<string>();
        var secret = server.Options.SecretKey;

        using var notAdmin = await server.SendAsync(HttpMethod.Get, "admin/users", accessToken, ct);
        await DevAuthAssert.ErrorAsync(notAdmin, HttpStatusCode.Forbidden, "not_admin", ct);
        using var noBearer = await server.SendAsync(HttpMethod.Get, "admin/users", null, ct);
        await DevAuthAssert.ErrorAsync(noBearer, HttpStatusCode.Unauthorized, "no_authorization", ct);

        using var list = await server.SendAsync(HttpMethod.Get, "admin/users", secret, ct);
        var users = (await DevAuthHttp.ReadObjectAsync(list, ct))["users"]!.AsArray();
        Assert.That(users.Select(u => u!["email"]!.GetValue<string>()), Is.EquivalentTo(new[] { "ivy@example.com", "jack@example.com" }));

        using var ban = await server.SendAsync(HttpMethod.Put, "admin/users/" + id, secret, ct, new { ban_duration = "24h" });
        var banned = await DevAuthHttp.ReadObjectAsync(ban, ct);
        Assert.That(banned["banned_until"], Is.Not.Null);

        using var login = await server.LoginAsync("ivy@example.com", "secret123", ct);
        await DevAuthAssert.ErrorAsync(login, HttpStatusCode.BadRequest, "user_banned", ct);
        using var user = await server.SendAsync(HttpMethod.Get, "user", accessToken, ct);
        await DevAuthAssert.ErrorAsync(user, HttpStatusCode.Forbidden, "user_banned", ct);
        using var refresh = await server.RefreshAsync(session["refresh_token"]!.GetValue<string>(), ct);
        await DevAuthAssert.ErrorAsync(refresh, HttpStatusCode.BadRequest, "user_banned", ct);

        using var badDuration = await server.SendAsync(HttpMethod.Put, "admin/users/" + id, secret, ct, new { ban_duration = "forever" });
        await DevAuthAssert.ErrorAsync(badDuration, HttpStatusCode.BadRequest, "validation_failed", ct);

        using var unban = await server.SendAsync(HttpMethod.Put, "admin/users/" + id, secret, ct, new { ban_duration = "none" });
        Assert.That((await DevAuthHttp.ReadObjectAsync(unban, ct)).ContainsKey("banned_until"), Is.False);
        using var loginAgain = await server.LoginAsync("ivy@example.com", "secret123", ct);
        Assert.That(loginAgain.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        using var delete = await server.SendAsync(HttpMethod.Delete, "admin/users/" + id, secret, ct);
        Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var deletedUser = await server.SendAsync(HttpMethod.Get, "user", accessToken, ct);
        await DevAuthAssert.ErrorAsync(deletedUser, HttpStatusCode.Forbidden, "user_not_found", ct);
        using var deletedLogin = await server.LoginAsync("ivy@example.com", "secret123", ct);
        await DevAuthAssert.ErrorAsync(deletedLogin, HttpStatusCode.BadRequest, "invalid_credentials", ct);
        using var deleteAgain = await server.SendAsync(HttpMethod.Delete, "admin/users/" + id, secret, ct);
        await DevAuthAssert.ErrorAsync(deleteAgain, HttpStatusCode.NotFound, "user_not_found", ct);
    }

    [Test, CancelAfter(Timeout)]
    public async Task TokenBucketLimitsPerClientKey(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct, o => o.TokenRateLimit = 30);

        // Burst 30: the 31st request inside the window is refused, whatever the grant.
        for (var i = 0; i < 30; i++)
        {
            using var allowed = await server.LoginAsync("nobody@example.com", "secret123", ct);
            Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        using var limited = await server.RefreshAsync("abcdefghijklmnopqrstuvwxyz", ct);
        await DevAuthAssert.ErrorAsync(limited, HttpStatusCode.TooManyRequests, "over_request_rate_limit", ct);

        // Signup has its own (OTP) bucket, off here.
        using var signUp = await server.SignUpAsync("free@example.com", "secret123", ct);
        Assert.That(signUp.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // With the secret key, Sb-Forwarded-For names the end user and so the bucket.
        using var forwarded = DevAuthHttp.NewClient(server.Root);
        forwarded.DefaultRequestHeaders.Add("apikey", server.Options.SecretKey);
        forwarded.DefaultRequestHeaders.Add("Sb-Forwarded-For", "203.0.113.7, 10.0.0.1");
        using var other = await forwarded.PostAsync("auth/v1/token?grant_type=password",
            new StringContent("""{"email":"free@example.com","password":"secret123"}"""), ct);
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // The same header with the anon key is ignored.
        using var anon = DevAuthHttp.NewClient(server.Root);
        anon.DefaultRequestHeaders.Add("apikey", server.Options.AnonKey);
        anon.DefaultRequestHeaders.Add("Sb-Forwarded-For", "203.0.113.8");
        using var spoofed = await anon.PostAsync("auth/v1/token?grant_type=password",
            new StringContent("""{"email":"free@example.com","password":"secret123"}"""), ct);
        Assert.That(spoofed.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
    }

    [Test, CancelAfter(Timeout)]
    public async Task OtpBucketLimitsSignUp(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct, o => o.OtpRateLimit = 30);

        for (var i = 0; i < 30; i++)
        {
            using var allowed = await server.SignUpAsync("bad address", "secret123", ct);
            Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        using var limited = await server.SignUpAsync("kim@example.com", "secret123", ct);
        await DevAuthAssert.ErrorAsync(limited, HttpStatusCode.TooManyRequests, "over_request_rate_limit", ct);
        using var recover = await server.PostAsync("recover", new { email = "kim@example.com" }, ct);
        Assert.That(recover.StatusCode, Is.EqualTo(HttpStatusCode.OK), "recover has its own bucket");
    }

    [Test, CancelAfter(Timeout)]
    public async Task InjectedFaults(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);
        await server.NewSessionAsync("lee@example.com", ct);

        server.Faults.Set(DevAuthFaultMode.ServerError);
        using var serverError = await server.LoginAsync("lee@example.com", "secret123", ct);
        var body = await DevAuthAssert.ErrorAsync(serverError, HttpStatusCode.InternalServerError, "unexpected_failure", ct);
        Assert.That(body["error_id"]!.GetValue<string>(), Is.Not.Empty);

        server.Faults.Set(DevAuthFaultMode.GatewayError);
        using var gateway = await server.LoginAsync("lee@example.com", "secret123", ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(gateway.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
            Assert.That(gateway.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"));
            Assert.That(await gateway.Content.ReadAsStringAsync(ct), Does.StartWith("<html>"));
        }

        server.Faults.Set(DevAuthFaultMode.RateLimited);
        using var limited = await server.SendAsync(HttpMethod.Get, "settings", null, ct);
        await DevAuthAssert.ErrorAsync(limited, HttpStatusCode.TooManyRequests, "over_request_rate_limit", ct);

        var delay = TimeSpan.FromMilliseconds(300);
        server.Faults.Set(DevAuthFaultMode.Delay, delay);
        var started = TimeProvider.System.GetTimestamp();
        using var slow = await server.LoginAsync("lee@example.com", "secret123", ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(TimeProvider.System.GetElapsedTime(started), Is.GreaterThanOrEqualTo(delay - TimeSpan.FromMilliseconds(15)), "the delay was applied (timer granularity aside)");
            Assert.That(slow.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        server.Faults.Clear();
        using var healthy = await server.LoginAsync("lee@example.com", "secret123", ct);
        Assert.That(healthy.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test, CancelAfter(Timeout)]
    public async Task UsersAndSigningKeySurviveRestart(CancellationToken ct)
    {
        var directory = DevAuthTestServer.NewDirectory();
        try
        {
            string accessToken;
            await using (var first = await DevAuthTestServer.StartAsync(ct, directory: directory))
            {
                accessToken = (await first.NewSessionAsync("mia@example.com", ct))["access_token"]!.GetValue<string>();
                await first.Server.StopAsync(ct);
            }

            await using var second = await DevAuthTestServer.StartAsync(ct, directory: directory);
            using var login = await second.LoginAsync("mia@example.com", "secret123", ct);
            Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.OK), await login.Content.ReadAsStringAsync(ct));

            // The key persisted, so the old token still verifies (the issuer differs: port 0 gave a new port).
            using var jwksResponse = await second.Client.GetAsync("auth/v1/.well-known/jwks.json", ct);
            var jwks = new JsonWebKeySet(await jwksResponse.Content.ReadAsStringAsync(ct));
            var result = await new JsonWebTokenHandler().ValidateTokenAsync(accessToken, new TokenValidationParameters
            {
                IssuerSigningKeys = jwks.GetSigningKeys(),
                ValidateIssuer = false,
                ValidAudience = "authenticated",
            });
            Assert.That(result.IsValid, Is.True, result.Exception?.ToString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test, CancelAfter(Timeout)]
    public async Task ConcurrentSignUpsAreAllSaved(CancellationToken ct)
    {
        string dataPath;
        await using (var server = await DevAuthTestServer.StartAsync(ct))
        {
            dataPath = server.Options.DataPath;
            var signUps = Enumerable.Range(0, 50).Select(async i =>
            {
                using var response = await server.SignUpAsync($"user{i}@example.com", "secret123", ct);
                return response.StatusCode;
            });
            Assert.That(await Task.WhenAll(signUps), Is.All.EqualTo(HttpStatusCode.OK));
            await server.Server.StopAsync(ct);

            var file = JsonNode.Parse(await File.ReadAllTextAsync(dataPath, ct))!;
            var emails = file["users"]!.AsArray().Select(u => u!["email"]!.GetValue<string>());
            using (Assert.EnterMultipleScope())
            {
                Assert.That(emails, Is.EquivalentTo(Enumerable.Range(0, 50).Select(i => $"user{i}@example.com")));
                Assert.That(file["users"]![0]!["password_hash"]!.GetValue<string>(), Is.Not.Empty);
                Assert.That(await File.ReadAllTextAsync(dataPath, ct), Does.Not.Contain("secret123"));
                Assert.That(Directory.GetFiles(Path.GetDirectoryName(dataPath)!).Where(f => f != dataPath + ".lock"), Has.Exactly(1).Items, "no temp files left (the lock file stays)");
            }
        }
    }

    [Test, CancelAfter(Timeout)]
    public async Task SettingsAndHealth(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct, o => o.AutoConfirm = false);

        using var settings = await server.Client.GetAsync("auth/v1/settings", ct);
        var body = await DevAuthHttp.ReadObjectAsync(settings, ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(body["mailer_autoconfirm"]!.GetValue<bool>(), Is.False);
            Assert.That(body["disable_signup"]!.GetValue<bool>(), Is.False);
            Assert.That(body["external"]!["email"]!.GetValue<bool>(), Is.True);
        }

        using var health = await server.Client.GetAsync("auth/v1/health", ct);
        Assert.That((await DevAuthHttp.ReadObjectAsync(health, ct))["name"]!.GetValue<string>(), Is.EqualTo("GoTrue"));
    }
}

using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NUnit.Framework;
using OtpNet;
using TcpChat.DevAuth;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Integration.DevAuth;

/// <summary>The account lifecycle of the embedded endpoint over real HTTP: mailed codes, PUT /user, reauthentication, TOTP, anonymous users.</summary>
[Parallelizable(ParallelScope.All)]
public class DevAuthAccountTests
{
    private const int Timeout = 60_000;

    [Test, CancelAfter(Timeout)]
    public async Task EachMailIsOneEmlFileBesideTheDataFileAndListedWithItsCode(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct, o => o.AutoConfirm = false);

        using var signUp = await server.SignUpAsync("mia@example.com", "secret123", ct);
        Assert.That(signUp.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var mail = await LastMailAsync(server, "mia@example.com", "signup", ct);
        var directory = Path.Combine(Path.GetDirectoryName(server.Options.DataPath)!, "mail");
        var file = mail["file"]!.GetValue<string>();
        var text = await File.ReadAllTextAsync(file, ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Path.GetDirectoryName(file), Is.EqualTo(directory));
            Assert.That(Directory.GetFiles(directory, "*.eml"), Has.Length.EqualTo(1));
            Assert.That(mail["to"]!.GetValue<string>(), Is.EqualTo("mia@example.com"));
            Assert.That(mail["subject"]!.GetValue<string>(), Is.EqualTo("Confirm your email address"));
            Assert.That(text, Does.Contain("To: mia@example.com\r\n").And.Contain("Subject: Confirm your email address\r\n"));
            Assert.That(text, Does.Contain($"<b>{mail["token"]}</b>"), "the code in the body, as a {{ .Token }} template shows it");
            Assert.That(text, Does.Contain($"/auth/v1/verify?token={mail["token_hash"]}&amp;type=signup"));
            if (!OperatingSystem.IsWindows())
            {
                Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            }
        }

        Assert.That(server.Server.Mailbox.List("mia@example.com").Single().Token, Is.EqualTo(mail["token"]!.GetValue<string>()), "in-process read");

        using var anon = await server.SendAsync(HttpMethod.Get, "_dev/mail", server.Options.AnonKey, ct);
        await DevAuthAssert.ErrorAsync(anon, HttpStatusCode.Forbidden, "not_admin", ct);
    }

    [Test, CancelAfter(Timeout)]
    public async Task SignupCodeConfirmsOnceAndExpires(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct, o => { o.AutoConfirm = false; o.EmailMaxFrequencySeconds = 0; });
        (await server.SignUpAsync("noa@example.com", "secret123", ct)).Dispose();
        var code = (await LastMailAsync(server, "noa@example.com", "signup", ct))["token"]!.GetValue<string>();

        using var wrong = await server.PostAsync("verify", new { type = "signup", email = "noa@example.com", token = Other(code) }, ct);
        await DevAuthAssert.ErrorAsync(wrong, HttpStatusCode.Forbidden, "otp_expired", ct);

        using var ok = await server.PostAsync("verify", new { type = "signup", email = "NOA@example.com", token = code }, ct);
        var session = await DevAuthHttp.ReadObjectAsync(ok, ct);
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK), session.ToJsonString());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(session["user"]!["email_confirmed_at"], Is.Not.Null);
            Assert.That(Claims(session)["amr"]![0]!["method"]!.GetValue<string>(), Is.EqualTo("otp"));
        }

        using var again = await server.PostAsync("verify", new { type = "signup", email = "noa@example.com", token = code }, ct);
        await DevAuthAssert.ErrorAsync(again, HttpStatusCode.Forbidden, "otp_expired", ct);
        using var login = await server.LoginAsync("noa@example.com", "secret123", ct);
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // A recovery code an hour and a second old is expired (MAILER_OTP_EXP).
        (await server.PostAsync("recover", new { email = "noa@example.com" }, ct)).Dispose();
        var recovery = (await LastMailAsync(server, "noa@example.com", "recovery", ct))["token"]!.GetValue<string>();
        server.Clock.Advance(TimeSpan.FromSeconds(server.Options.OtpExpirySeconds + 1));
        using var late = await server.PostAsync("verify", new { type = "recovery", email = "noa@example.com", token = recovery }, ct);
        await DevAuthAssert.ErrorAsync(late, HttpStatusCode.Forbidden, "otp_expired", ct);

        using var both = await server.PostAsync("verify", new { type = "signup", email = "noa@example.com", token = code, token_hash = "x" }, ct);
        await DevAuthAssert.ErrorAsync(both, HttpStatusCode.BadRequest, "validation_failed", ct);
        using var noType = await server.PostAsync("verify", new { email = "noa@example.com", token = code }, ct);
        await DevAuthAssert.ErrorAsync(noType, HttpStatusCode.BadRequest, "validation_failed", ct);
    }

    [Test, CancelAfter(Timeout)]
    public async Task RecoveryCodeThenNewPasswordEndsTheOtherSessions(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);
        var other = await server.NewSessionAsync("oli@example.com", ct);
        (await server.PostAsync("recover", new { email = "oli@example.com" }, ct)).Dispose();
        var code = (await LastMailAsync(server, "oli@example.com", "recovery", ct))["token"]!.GetValue<string>();

        using var verified = await server.PostAsync("verify", new { type = "recovery", email = "oli@example.com", token = code }, ct);
        var session = await DevAuthHttp.ReadObjectAsync(verified, ct);
        var jwt = session["access_token"]!.GetValue<string>();

        using var same = await server.SendAsync(HttpMethod.Put, "user", jwt, ct, new { password = "secret123" });
        await DevAuthAssert.ErrorAsync(same, HttpStatusCode.UnprocessableEntity, "same_password", ct);
        using var weak = await server.SendAsync(HttpMethod.Put, "user", jwt, ct, new { password = "abc" });
        await DevAuthAssert.ErrorAsync(weak, HttpStatusCode.UnprocessableEntity, "weak_password", ct);
        using var changed = await server.SendAsync(HttpMethod.Put, "user", jwt, ct, new { password = "new-secret-1", data = new { nick = "oli" } });
        var user = await DevAuthHttp.ReadObjectAsync(changed, ct);
        Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.OK), user.ToJsonString());
        Assert.That(user["user_metadata"]!["nick"]!.GetValue<string>(), Is.EqualTo("oli"));

        using var oldPassword = await server.LoginAsync("oli@example.com", "secret123", ct);
        await DevAuthAssert.ErrorAsync(oldPassword, HttpStatusCode.BadRequest, "invalid_credentials", ct);
        using var newPassword = await server.LoginAsync("oli@example.com", "new-secret-1", ct);
        Assert.That(newPassword.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var otherRefresh = await server.RefreshAsync(other["refresh_token"]!.GetValue<string>(), ct);
        await DevAuthAssert.ErrorAsync(otherRefresh, HttpStatusCode.BadRequest, "refresh_token_not_found", ct);
        using var ownRefresh = await server.RefreshAsync(session["refresh_token"]!.GetValue<string>(), ct);
        Assert.That(ownRefresh.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the session that changed the password stays");

        using var appMetadata = await server.SendAsync(HttpMethod.Put, "user", jwt, ct, new { app_metadata = new { role = "admin" } });
        await DevAuthAssert.ErrorAsync(appMetadata, HttpStatusCode.Forbidden, "not_admin", ct);
    }

    [Test, CancelAfter(Timeout)]
    public async Task SecurePasswordChangeAsksForTheMailedNonceOnceTheSessionIsADayOld(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct, o => o.SecurePasswordChange = true);
        var session = await server.NewSessionAsync("pia@example.com", ct);

        // A fresh sign-in needs no nonce (GoTrue: within 24 hours of the session's start).
        using var fresh = await server.SendAsync(HttpMethod.Put, "user", session["access_token"]!.GetValue<string>(), ct, new { password = "second-secret" });
        Assert.That(fresh.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        server.Clock.Advance(TimeSpan.FromHours(25));
        using var refreshed = await server.RefreshAsync(session["refresh_token"]!.GetValue<string>(), ct);
        var jwt = (await DevAuthHttp.ReadObjectAsync(refreshed, ct))["access_token"]!.GetValue<string>();

        using var needed = await server.SendAsync(HttpMethod.Put, "user", jwt, ct, new { password = "third-secret" });
        await DevAuthAssert.ErrorAsync(needed, HttpStatusCode.BadRequest, "reauthentication_needed", ct);
        using var reauth = await server.SendAsync(HttpMethod.Get, "reauthenticate", jwt, ct);
        Assert.That(reauth.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var mail = await LastMailAsync(server, "pia@example.com", "reauthentication", ct);
        var nonce = mail["token"]!.GetValue<string>();
        Assert.That(mail["subject"]!.GetValue<string>(), Is.EqualTo(nonce + " is your verification code"));
        using var tooSoon = await server.SendAsync(HttpMethod.Get, "reauthenticate", jwt, ct);
        await DevAuthAssert.ErrorAsync(tooSoon, HttpStatusCode.TooManyRequests, "over_email_send_rate_limit", ct);

        using var wrong = await server.SendAsync(HttpMethod.Put, "user", jwt, ct, new { password = "third-secret", nonce = Other(nonce) });
        await DevAuthAssert.ErrorAsync(wrong, HttpStatusCode.UnprocessableEntity, "reauthentication_not_valid", ct);
        using var ok = await server.SendAsync(HttpMethod.Put, "user", jwt, ct, new { password = "third-secret", nonce });
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK), await ok.Content.ReadAsStringAsync(ct));
        using var reused = await server.SendAsync(HttpMethod.Put, "user", jwt, ct, new { password = "fourth-secret", nonce });
        await DevAuthAssert.ErrorAsync(reused, HttpStatusCode.UnprocessableEntity, "reauthentication_not_valid", ct);
    }

    [Test, CancelAfter(Timeout)]
    public async Task TotpVerifyRaisesTheSessionToAal2AndGuardsTheFactor(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);
        var session = await server.NewSessionAsync("quinn@example.com", ct);
        var jwt = session["access_token"]!.GetValue<string>();

        using var enroll = await server.SendAsync(HttpMethod.Post, "factors", jwt, ct, new { factor_type = "totp", friendly_name = "app" });
        var factor = await DevAuthHttp.ReadObjectAsync(enroll, ct);
        Assert.That(enroll.StatusCode, Is.EqualTo(HttpStatusCode.OK), factor.ToJsonString());
        var factorId = factor["id"]!.GetValue<string>();
        var secret = factor["totp"]!["secret"]!.GetValue<string>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(factor["type"]!.GetValue<string>(), Is.EqualTo("totp"));
            Assert.That(factor["totp"]!["qr_code"]!.GetValue<string>(), Does.Contain("<svg"));
            Assert.That(factor["totp"]!["uri"]!.GetValue<string>(), Does.StartWith("otpauth://totp/").And.Contain("secret=" + secret));
        }

        using var duplicate = await server.SendAsync(HttpMethod.Post, "factors", jwt, ct, new { factor_type = "totp", friendly_name = "app" });
        await DevAuthAssert.ErrorAsync(duplicate, HttpStatusCode.UnprocessableEntity, "mfa_factor_name_conflict", ct);
        using var phone = await server.SendAsync(HttpMethod.Post, "factors", jwt, ct, new { factor_type = "phone" });
        await DevAuthAssert.ErrorAsync(phone, HttpStatusCode.UnprocessableEntity, "mfa_phone_enroll_not_enabled", ct);

        var challengeId = await ChallengeAsync(server, jwt, factorId, ct);
        var code = Code(secret, server.Clock);
        using var wrong = await server.SendAsync(HttpMethod.Post, $"factors/{factorId}/verify", jwt, ct, new { challenge_id = challengeId, code = Other(code) });
        await DevAuthAssert.ErrorAsync(wrong, HttpStatusCode.UnprocessableEntity, "mfa_verification_failed", ct);
        using var verify = await server.SendAsync(HttpMethod.Post, $"factors/{factorId}/verify", jwt, ct, new { challenge_id = challengeId, code });
        var raised = await DevAuthHttp.ReadObjectAsync(verify, ct);
        Assert.That(verify.StatusCode, Is.EqualTo(HttpStatusCode.OK), raised.ToJsonString());
        var claims = Claims(raised);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(claims["aal"]!.GetValue<string>(), Is.EqualTo("aal2"));
            Assert.That(claims["amr"]!.AsArray().Select(a => a!["method"]!.GetValue<string>()), Is.EqualTo(new[] { "totp", "password" }));
            Assert.That(claims["session_id"]!.GetValue<string>(), Is.EqualTo(Claims(session)["session_id"]!.GetValue<string>()));
            Assert.That(raised["user"]!["factors"]![0]!["status"]!.GetValue<string>(), Is.EqualTo("verified"));
        }

        using var replay = await server.SendAsync(HttpMethod.Post, $"factors/{factorId}/verify", jwt, ct, new { challenge_id = challengeId, code });
        await DevAuthAssert.ErrorAsync(replay, HttpStatusCode.UnprocessableEntity, "mfa_ip_address_mismatch", ct);
        using var oldRefresh = await server.RefreshAsync(session["refresh_token"]!.GetValue<string>(), ct);
        await DevAuthAssert.ErrorAsync(oldRefresh, HttpStatusCode.BadRequest, "refresh_token_not_found", ct);
        using var newRefresh = await server.RefreshAsync(raised["refresh_token"]!.GetValue<string>(), ct);
        Assert.That(Claims(await DevAuthHttp.ReadObjectAsync(newRefresh, ct))["aal"]!.GetValue<string>(), Is.EqualTo("aal2"), "refresh keeps aal2");

        // A password login of an MFA user is aal1: it may not change the password or remove the factor.
        using var login = await server.LoginAsync("quinn@example.com", "secret123", ct);
        var aal1 = await DevAuthHttp.ReadObjectAsync(login, ct);
        var aal1Jwt = aal1["access_token"]!.GetValue<string>();
        Assert.That(Claims(aal1)["aal"]!.GetValue<string>(), Is.EqualTo("aal1"));
        Assert.That(aal1["user"]!["factors"]!.AsArray(), Has.Count.EqualTo(1));
        using var password = await server.SendAsync(HttpMethod.Put, "user", aal1Jwt, ct, new { password = "another-secret" });
        await DevAuthAssert.ErrorAsync(password, HttpStatusCode.Unauthorized, "insufficient_aal", ct);
        using var unenrollAal1 = await server.SendAsync(HttpMethod.Delete, $"factors/{factorId}", aal1Jwt, ct);
        await DevAuthAssert.ErrorAsync(unenrollAal1, HttpStatusCode.UnprocessableEntity, "insufficient_aal", ct);
        using var second = await server.SendAsync(HttpMethod.Post, "factors", aal1Jwt, ct, new { factor_type = "totp", friendly_name = "second" });
        await DevAuthAssert.ErrorAsync(second, HttpStatusCode.Forbidden, "insufficient_aal", ct);

        var aal2Jwt = raised["access_token"]!.GetValue<string>();
        using var unknown = await server.SendAsync(HttpMethod.Delete, $"factors/{Guid.NewGuid()}", aal2Jwt, ct);
        await DevAuthAssert.ErrorAsync(unknown, HttpStatusCode.NotFound, "mfa_factor_not_found", ct);
        using var unenroll = await server.SendAsync(HttpMethod.Delete, $"factors/{factorId}", aal2Jwt, ct);
        Assert.That((await DevAuthHttp.ReadObjectAsync(unenroll, ct))["id"]!.GetValue<string>(), Is.EqualTo(factorId));
    }

    [Test, CancelAfter(Timeout)]
    public async Task AnExpiredChallengeIsRefused(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);
        var jwt = (await server.NewSessionAsync("rae@example.com", ct))["access_token"]!.GetValue<string>();
        using var enroll = await server.SendAsync(HttpMethod.Post, "factors", jwt, ct, new { factor_type = "totp" });
        var factor = await DevAuthHttp.ReadObjectAsync(enroll, ct);
        var factorId = factor["id"]!.GetValue<string>();
        var challengeId = await ChallengeAsync(server, jwt, factorId, ct);

        server.Clock.Advance(TimeSpan.FromMinutes(6));
        var code = Code(factor["totp"]!["secret"]!.GetValue<string>(), server.Clock);
        using var late = await server.SendAsync(HttpMethod.Post, $"factors/{factorId}/verify", jwt, ct, new { challenge_id = challengeId, code });
        await DevAuthAssert.ErrorAsync(late, HttpStatusCode.UnprocessableEntity, "mfa_challenge_expired", ct);
    }

    [Test, CancelAfter(Timeout)]
    public async Task AnonymousSignInsAreOffUnlessAllowed(CancellationToken ct)
    {
        await using (var off = await DevAuthTestServer.StartAsync(ct))
        {
            using var refused = await off.PostAsync("signup", new { }, ct);
            await DevAuthAssert.ErrorAsync(refused, HttpStatusCode.UnprocessableEntity, "anonymous_provider_disabled", ct);
            using var emptyEmail = await off.SignUpAsync("", "secret123", ct);
            await DevAuthAssert.ErrorAsync(emptyEmail, HttpStatusCode.UnprocessableEntity, "anonymous_provider_disabled", ct);
            using var recover = await off.PostAsync("recover", new { email = "" }, ct);
            await DevAuthAssert.ErrorAsync(recover, HttpStatusCode.BadRequest, "validation_failed", ct);
        }

        await using var server = await DevAuthTestServer.StartAsync(ct, o => o.AllowAnonymous = true);
        using var signIn = await server.PostAsync("signup", new { data = new { nick = "guest" } }, ct);
        var session = await DevAuthHttp.ReadObjectAsync(signIn, ct);
        Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK), session.ToJsonString());
        var claims = Claims(session);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(session["user"]!["is_anonymous"]!.GetValue<bool>(), Is.True);
            Assert.That(session["user"]!["email"]!.GetValue<string>(), Is.Empty);
            Assert.That(session["user"]!["identities"]!.AsArray(), Is.Empty);
            Assert.That(claims["is_anonymous"]!.GetValue<bool>(), Is.True);
            Assert.That(claims["amr"]![0]!["method"]!.GetValue<string>(), Is.EqualTo("anonymous"));
            Assert.That(claims["role"]!.GetValue<string>(), Is.EqualTo("authenticated"));
        }

        var jwt = session["access_token"]!.GetValue<string>();
        using var factors = await server.SendAsync(HttpMethod.Post, "factors", jwt, ct, new { factor_type = "totp" });
        await DevAuthAssert.ErrorAsync(factors, HttpStatusCode.Forbidden, "no_authorization", ct);
        using var password = await server.SendAsync(HttpMethod.Put, "user", jwt, ct, new { password = "guest-secret" });
        await DevAuthAssert.ErrorAsync(password, HttpStatusCode.UnprocessableEntity, "validation_failed", ct);

        // Adding an address turns a guest into a permanent user (autoconfirm: at once).
        using var convert = await server.SendAsync(HttpMethod.Put, "user", jwt, ct, new { email = "sam@example.com", password = "sam-secret" });
        var user = await DevAuthHttp.ReadObjectAsync(convert, ct);
        Assert.That(convert.StatusCode, Is.EqualTo(HttpStatusCode.OK), user.ToJsonString());
        Assert.That(user["is_anonymous"]!.GetValue<bool>(), Is.False);
        using var login = await server.LoginAsync("sam@example.com", "sam-secret", ct);
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test, CancelAfter(Timeout)]
    public async Task AnEmailChangeIsConfirmedWithTheCodeSentToTheNewAddress(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);
        await server.NewSessionAsync("taken@example.com", ct);
        var jwt = (await server.NewSessionAsync("tom@example.com", ct))["access_token"]!.GetValue<string>();

        using var taken = await server.SendAsync(HttpMethod.Put, "user", jwt, ct, new { email = "taken@example.com" });
        await DevAuthAssert.ErrorAsync(taken, HttpStatusCode.UnprocessableEntity, "email_exists", ct);
        using var change = await server.SendAsync(HttpMethod.Put, "user", jwt, ct, new { email = "thomas@example.com" });
        var user = await DevAuthHttp.ReadObjectAsync(change, ct);
        Assert.That(user["new_email"]!.GetValue<string>(), Is.EqualTo("thomas@example.com"));
        Assert.That(user["email"]!.GetValue<string>(), Is.EqualTo("tom@example.com"), "unchanged until confirmed");

        var code = (await LastMailAsync(server, "thomas@example.com", "email_change", ct))["token"]!.GetValue<string>();
        using var verify = await server.PostAsync("verify", new { type = "email_change", email = "thomas@example.com", token = code }, ct);
        var session = await DevAuthHttp.ReadObjectAsync(verify, ct);
        Assert.That(session["user"]!["email"]!.GetValue<string>(), Is.EqualTo("thomas@example.com"), session.ToJsonString());
        using var login = await server.LoginAsync("thomas@example.com", "secret123", ct);
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test, CancelAfter(Timeout)]
    public async Task AnEmailChangeToAnAddressTakenMeanwhileIsRefused(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);
        var jwt = (await server.NewSessionAsync("ugo@example.com", ct))["access_token"]!.GetValue<string>();
        (await server.SendAsync(HttpMethod.Put, "user", jwt, ct, new { email = "hugo@example.com" })).Dispose();
        var code = (await LastMailAsync(server, "hugo@example.com", "email_change", ct))["token"]!.GetValue<string>();
        await server.NewSessionAsync("hugo@example.com", ct);

        using var verify = await server.PostAsync("verify", new { type = "email_change", email = "hugo@example.com", token = code }, ct);
        await DevAuthAssert.ErrorAsync(verify, HttpStatusCode.UnprocessableEntity, "email_exists", ct);
        using var other = await server.LoginAsync("hugo@example.com", "secret123", ct);
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the new owner keeps the address");
    }

    [Test, CancelAfter(Timeout)]
    public async Task AdminApiRefusesABearerThatIsNotAJwtWithBadJwt(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);

        using var notJwt = await server.SendAsync(HttpMethod.Get, "admin/users", "not-a-jwt", ct);
        var body = await DevAuthAssert.ErrorAsync(notJwt, HttpStatusCode.Forbidden, "bad_jwt", ct);
        Assert.That(body["msg"]!.GetValue<string>(), Does.StartWith("invalid JWT: unable to parse or verify signature"));
        using var anon = await server.SendAsync(HttpMethod.Get, "admin/users", server.Options.AnonKey, ct);
        await DevAuthAssert.ErrorAsync(anon, HttpStatusCode.Forbidden, "not_admin", ct);
    }

    [Test, CancelAfter(Timeout)]
    public async Task AHostHeaderThatIsNotTheBoundAddressIsRefused(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct);

        foreach (var host in new[] { "attacker.example", "192.0.2.1" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "auth/v1/health");
            request.Headers.Host = $"{host}:{server.Root.Port}";
            using var refused = await server.Client.SendAsync(request, ct);
            await DevAuthAssert.ErrorAsync(refused, HttpStatusCode.MisdirectedRequest, "validation_failed", ct);
        }

        foreach (var host in new[] { "localhost", "127.0.0.1", "127.0.0.2" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "auth/v1/health");
            request.Headers.Host = $"{host}:{server.Root.Port}";
            using var ok = await server.Client.SendAsync(request, ct);
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK), host);
        }
    }

    [Test, CancelAfter(Timeout)]
    public void BeyondLoopbackWithThePublicKeysIsRefused()
    {
        var options = new DevAuthOptions { Host = "0.0.0.0" };
        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();
        Assert.That(errors.Single().ErrorMessage, Does.Contain("DevAuth:AnonKey and DevAuth:SecretKey"));

        var keyed = new DevAuthOptions { Host = "0.0.0.0", AnonKey = "sb_publishable_mine", SecretKey = "sb_secret_mine" };
        Assert.That(keyed.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(keyed)), Is.Empty);
    }

    [Test, CancelAfter(Timeout)]
    public async Task TheDataFileIsPrivateAndACorruptOneStopsTheStart(CancellationToken ct)
    {
        var directory = DevAuthTestServer.NewDirectory();
        try
        {
            await using (var server = await DevAuthTestServer.StartAsync(ct, directory: directory))
            {
                await server.NewSessionAsync("uma@example.com", ct);
            }

            var file = Path.Combine(directory, "sub", "devauth.json");
            if (!OperatingSystem.IsWindows())
            {
                Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            }

            await File.WriteAllTextAsync(file, "{\"users\": [", ct);
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() => DevAuthTestServer.StartAsync(ct, directory: directory));
            Assert.That(e!.Message, Does.Contain(file).And.Contain("corrupt").And.Not.Contain("\n"));
            Assert.That(await File.ReadAllTextAsync(file, ct), Is.EqualTo("{\"users\": ["), "never replaced");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// A login for an unknown address costs a password hash like a wrong password for a known one, so timing does not
    /// reveal who is registered. Real hash cost (100 000 iterations), interleaved tries, medians within 20 %.
    /// </summary>
    [Test, CancelAfter(120_000), NonParallelizable]
    public async Task UnknownEmailTakesAsLongAsAKnownOne(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct, o => o.PasswordHashIterations = 100_000);
        await server.NewSessionAsync("val@example.com", ct);

        var known = new List<double>();
        var unknown = new List<double>();
        for (var i = 0; i < 25; i++)
        {
            known.Add(await TimeLoginAsync(server, "val@example.com", ct));
            unknown.Add(await TimeLoginAsync(server, $"nobody{i}@example.com", ct));
        }

        double knownMedian = Median(known), unknownMedian = Median(unknown);
        TestContext.Out.WriteLine($"median wrong-password login: known {knownMedian:F1} ms, unknown {unknownMedian:F1} ms");
        Assert.That(unknownMedian, Is.InRange(knownMedian * 0.8, knownMedian * 1.2));
    }

    /// <summary>With confirmations on, signing up a registered (confirmed) address answers like a new signup, in about the same time.</summary>
    [Test, CancelAfter(120_000), NonParallelizable]
    public async Task SignUpOfARegisteredAddressLooksAndTakesLikeANewOne(CancellationToken ct)
    {
        await using var server = await DevAuthTestServer.StartAsync(ct, o => { o.PasswordHashIterations = 100_000; o.AutoConfirm = false; });
        using (var first = await server.SignUpAsync("wes@example.com", "secret123", ct))
        {
            var id = (await DevAuthHttp.ReadObjectAsync(first, ct))["id"]!.GetValue<string>();
            using var confirm = await server.SendAsync(HttpMethod.Put, "admin/users/" + id, server.Options.SecretKey, ct, new { email_confirm = true });
            Assert.That(confirm.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var registered = new List<double>();
        var fresh = new List<double>();
        for (var i = 0; i < 25; i++)
        {
            registered.Add(await TimeSignUpAsync(server, "wes@example.com", ct));
            fresh.Add(await TimeSignUpAsync(server, $"new{i}@example.com", ct));
        }

        double registeredMedian = Median(registered), freshMedian = Median(fresh);
        TestContext.Out.WriteLine($"median signup: registered {registeredMedian:F1} ms, new {freshMedian:F1} ms");
        Assert.That(registeredMedian, Is.InRange(freshMedian * 0.8, freshMedian * 1.2));
    }

    private static async Task<double> TimeSignUpAsync(DevAuthTestServer server, string email, CancellationToken ct)
    {
        var (elapsed, response) = await TimeAsync(() => server.SignUpAsync(email, "other-secret", ct));
        using var _ = response;
        var user = await DevAuthHttp.ReadObjectAsync(response, ct);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), user.ToJsonString());
        Assert.That(user.ContainsKey("access_token"), Is.False);
        Assert.That(user["confirmation_sent_at"], Is.Not.Null);
        return elapsed;
    }

    private static async Task<double> TimeLoginAsync(DevAuthTestServer server, string email, CancellationToken ct)
    {
        var (elapsed, response) = await TimeAsync(() => server.LoginAsync(email, "wrong-password", ct));
        using var _ = response;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        return elapsed;
    }

    private static async Task<(double Milliseconds, HttpResponseMessage Response)> TimeAsync(Func<Task<HttpResponseMessage>> send)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await send();
        return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, response);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The newest mail of a kind to an address, from <c>GET /_dev/mail</c>.</summary>
    internal static async Task<JsonObject> LastMailAsync(DevAuthTestServer server, string to, string type, CancellationToken ct)
    {
        using var response = await server.SendAsync(HttpMethod.Get, "_dev/mail?email=" + Uri.EscapeDataString(to), server.Options.SecretKey, ct);
        var body = await DevAuthHttp.ReadObjectAsync(response, ct);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        var mail = body["messages"]!.AsArray().LastOrDefault(m => m!["type"]!.GetValue<string>() == type);
        Assert.That(mail, Is.Not.Null, $"no {type} mail to {to}");
        Assert.That(mail!["token"]!.GetValue<string>(), Does.Match("^[0-9]{6}$"));
        return mail.AsObject();
    }

    private static async Task<string> ChallengeAsync(DevAuthTestServer server, string jwt, string factorId, CancellationToken ct)
    {
        using var challenge = await server.SendAsync(HttpMethod.Post, $"factors/{factorId}/challenge", jwt, ct, new { });
        var body = await DevAuthHttp.ReadObjectAsync(challenge, ct);
        Assert.That(challenge.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        Assert.That(body["expires_at"]!.GetValue<long>(), Is.GreaterThan(server.Clock.GetUtcNow().ToUnixTimeSeconds()));
        return body["id"]!.GetValue<string>();
    }

    private static string Code(string secret, TimeProvider clock) =>
        new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(clock.GetUtcNow().UtcDateTime);

    /// <summary>A six-digit code that is not <paramref name="code"/>.</summary>
    private static string Other(string code) => code == "000000" ? "111111" : "000000";

    private static JsonObject Claims(JsonObject session) =>
        JsonNode.Parse(Base64UrlEncoder.Decode(new JsonWebToken(session["access_token"]!.GetValue<string>()).EncodedPayload))!.AsObject();
}

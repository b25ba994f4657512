using NUnit.Framework;
using TcpChat.DevAuth;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Integration;

/// <summary>The login commands against the embedded Supabase-Auth-compatible endpoint, over real sockets and real HTTP.</summary>
[CancelAfter(TestTimeouts.Test)]
public class LoginTests
{
    private ChatServerFixture _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await ChatServerFixture.StartAsync("Chat:MaxLoginAttempts=3");

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    [Test]
    public async Task TheGreetingNamesTheLoginCommands()
    {
        await using var c = await _server.ConnectAsync(readGreeting: false);
        string? greeting = await c.ReadLineAsync();
        Assert.That(greeting, Does.StartWith("* tcpchat 1.0 ready."));
        Assert.That(greeting, Does.Contain("AUTH <email> <password>").And.Contain("SIGNUP").And.Contain("RECOVER").And.Contain("TOKEN").And.Contain("HELP"));
    }

    [TestCase("/join #rust")]
    [TestCase("hello")]
    [TestCase("/ping")]
    public async Task OnlyLoginCommandsAreAcceptedBeforeLogin(string line)
    {
        await using var c = await _server.ConnectAsync();
        await c.SendAsync(line);
        Assert.That(await c.ReadLineAsync(), Does.StartWith("ERR AUTH_REQUIRED "));
    }

    [Test]
    public async Task HelpAndQuitWorkBeforeLoginWithOrWithoutSlash()
    {
        await using var c = await _server.ConnectAsync();
        await c.SendAsync("help");
        var (rows, ok) = await c.ReadListingAsync("OK HELP");
        Assert.That(rows, Has.All.StartWith("HELP "));
        Assert.That(string.Join("\n", rows), Does.Contain("AUTH <email> <password>"));
        await c.SendAsync("/Quit");
        Assert.That(await c.ReadLineAsync(), Is.EqualTo("OK BYE"));
        Assert.That(await c.ReadLineAsync(), Is.Null);
    }

    [Test]
    public async Task SignUpThenAuthWithAPasswordContainingSpaces()
    {
        string email = ChatServerFixture.NewEmail("spacey");
        await using (var c = await _server.ConnectAsync())
        {
            await c.SendAsync($"SIGNUP {email} pass word  with spaces ");
            Assert.That(await c.ReadLineAsync(), Does.Match("^OK AUTH spacey\\d*x\\d+$"));
            Assert.That(await c.ReadLineAsync(), Is.EqualTo("OK JOIN #lobby"));
        }

        await using var d = await _server.ConnectAsync();
        await d.SendAsync($"auth {email} pass word  with spaces");
        Assert.That(await d.ReadLineAsync(), Does.StartWith("ERR INVALID_CREDENTIALS "), "the trailing space is part of the password");
        await d.SendAsync($"/AUTH {email.ToUpperInvariant()} pass word  with spaces ");
        Assert.That(await d.ReadLineAsync(), Does.StartWith("OK AUTH spacey"));
        Assert.That(await d.ReadLineAsync(), Is.EqualTo("OK JOIN #lobby"));
    }

    [Test]
    public async Task TheDefaultNickComesFromTheEmailAndGetsANumberWhenTaken()
    {
        string email = ChatServerFixture.NewEmail("twin");
        string local = email.Split('@')[0];
        await using var first = await _server.ConnectAsync();
        await first.SendAsync($"SIGNUP {email} secret-one");
        Assert.That(await first.ReadLineAsync(), Is.EqualTo("OK AUTH " + local));
        await using var second = await _server.ConnectAsync();
        await second.SendAsync($"AUTH {email} secret-one");
        Assert.That(await second.ReadLineAsync(), Is.EqualTo("OK AUTH " + local + "2"));
    }

    [Test]
    public async Task ThreeWrongPasswordsCloseTheConnection()
    {
        string email = ChatServerFixture.NewEmail();
        await (await _server.SignUpAsync()).DisposeAsync();
        await using var c = await _server.ConnectAsync();
        for (int i = 0; i < 2; i++)
        {
            await c.SendAsync($"AUTH {email} wrong-password");
            Assert.That(await c.ReadLineAsync(), Does.StartWith("ERR INVALID_CREDENTIALS "));
        }

        await c.SendAsync($"AUTH {email} wrong-password");
        var rest = await c.ReadUntilClosedAsync();
        Assert.That(rest, Has.Some.StartWith("ERR TOO_MANY_ATTEMPTS "));
        Assert.That(rest[^1], Does.StartWith("ERR TOO_MANY_ATTEMPTS "));
    }

    [TestCase("SIGNUP {0} short", "ERR WEAK_PASSWORD ")]
    [TestCase("SIGNUP not-an-email secret-password", "ERR INVALID_EMAIL ")]
    [TestCase("AUTH {0}", "ERR BAD_ARGUMENTS ")]
    [TestCase("AUTH", "ERR BAD_ARGUMENTS ")]
    [TestCase("TOKEN", "ERR BAD_ARGUMENTS ")]
    [TestCase("RECOVER", "ERR BAD_ARGUMENTS ")]
    public async Task RefusedLoginsAnswerWithTheirCode(string template, string expected)
    {
        await using var c = await _server.ConnectAsync();
        await c.SendAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, ChatServerFixture.NewEmail()));
        Assert.That(await c.ReadLineAsync(), Does.StartWith(expected));
    }

    [Test]
    public async Task SignUpOfAnExistingAccountSaysSo()
    {
        string email = ChatServerFixture.NewEmail();
        await using (var c = await _server.ConnectAsync())
        {
            await c.SendAsync($"SIGNUP {email} first-password");
            await c.ExpectNextAsync("OK AUTH ");
        }

        await using var d = await _server.ConnectAsync();
        await d.SendAsync($"SIGNUP {email} other-password");
        Assert.That(await d.ReadLineAsync(), Does.StartWith("ERR USER_EXISTS "));
    }

    [Test]
    public async Task RecoverAnswersTheSameWhetherOrNotTheAccountExists()
    {
        var known = await _server.SignUpAsync();
        await using var c = await _server.ConnectAsync();
        string email = ChatServerFixture.NewEmail("recover");
        await c.SendAsync($"SIGNUP {email} my-password");
        await c.ExpectNextAsync("OK AUTH ");
        await using var d = await _server.ConnectAsync();
        await d.SendAsync("RECOVER " + email);
        string forKnown = await d.ReadLineAsync() ?? "";
        await d.SendAsync("RECOVER " + ChatServerFixture.NewEmail("nobody"));
        string forUnknown = await d.ReadLineAsync() ?? "";
        Assert.That(forKnown, Does.StartWith("OK RECOVER "));
        Assert.That(forUnknown, Is.EqualTo(forKnown));
        await known.DisposeAsync();
    }

    [Test]
    public async Task TokenLogsInWithASupabaseAccessToken()
    {
        string email = ChatServerFixture.NewEmail("tok");
        const string password = "token-password";
        await (await SignUpOnlyAsync(email, password)).DisposeAsync();
        var (token, _) = await _server.PasswordGrantAsync(email, password);

        await using var c = await _server.ConnectAsync();
        await c.SendAsync("TOKEN " + token);
        Assert.That(await c.ReadLineAsync(), Is.EqualTo("OK AUTH " + email.Split('@')[0]));
        Assert.That(await c.ReadLineAsync(), Is.EqualTo("OK JOIN #lobby"));
    }

    [Test]
    public async Task ABadTokenIsRefusedAndCountsAsAFailedAttempt()
    {
        await using var c = await _server.ConnectAsync();
        await c.SendAsync("TOKEN not.a.jwt");
        Assert.That(await c.ReadLineAsync(), Does.StartWith("ERR INVALID_TOKEN "));
        await c.SendAsync("TOKEN eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");
        Assert.That(await c.ReadLineAsync(), Does.StartWith("ERR INVALID_TOKEN "));
        await c.SendAsync("TOKEN garbage.garbage.garbage");
        var rest = await c.ReadUntilClosedAsync();
        Assert.That(rest[^1], Does.StartWith("ERR TOO_MANY_ATTEMPTS "));
    }

    [Test]
    public async Task AuthUnavailableWhenSupabaseFailsAndLoginsWorkAgainAfterwards()
    {
        await using var server = await ChatServerFixture.StartAsync("Supabase:Timeout=00:00:02");
        var user = await server.SignUpAsync("flaky", "flaky-password");
        string email = user.Nick! + "@example.com";
        await user.DisposeAsync();

        await using var c = await server.ConnectAsync();
        server.DevAuth.Faults.Set(DevAuthFaultMode.ServerError);
        await c.SendAsync($"AUTH {email} flaky-password");
        Assert.That(await c.ReadLineAsync(), Does.StartWith("ERR AUTH_UNAVAILABLE "));

        server.DevAuth.Faults.Set(DevAuthFaultMode.GatewayError);
        await c.SendAsync($"AUTH {email} flaky-password");
        Assert.That(await c.ReadLineAsync(), Does.StartWith("ERR AUTH_UNAVAILABLE "));

        server.DevAuth.Faults.Set(DevAuthFaultMode.RateLimited);
        await c.SendAsync($"AUTH {email} flaky-password");
        Assert.That(await c.ReadLineAsync(), Does.StartWith("ERR RATE_LIMITED "));

        server.DevAuth.Faults.Set(DevAuthFaultMode.Delay, TimeSpan.FromSeconds(5));
        await c.SendAsync($"AUTH {email} flaky-password");
        Assert.That(await c.ReadLineAsync(), Does.StartWith("ERR AUTH_UNAVAILABLE "));

        server.DevAuth.Faults.Set(DevAuthFaultMode.None);
        await c.SendAsync($"AUTH {email} flaky-password");
        Assert.That(await c.ReadLineAsync(), Does.StartWith("OK AUTH "));
    }

    [Test]
    public async Task WithoutAutoConfirmSignUpAsksToConfirmAndAuthSaysNotConfirmed()
    {
        await using var server = await ChatServerFixture.StartAsync("DevAuth:AutoConfirm=false");
        string email = ChatServerFixture.NewEmail("unconfirmed");
        await using var c = await server.ConnectAsync();
        await c.SendAsync($"SIGNUP {email} confirm-me-please");
        Assert.That(await c.ReadLineAsync(), Is.EqualTo("OK SIGNUP check your email to confirm, then AUTH"));
        await c.SendAsync($"AUTH {email} confirm-me-please");
        Assert.That(await c.ReadLineAsync(), Does.StartWith("ERR EMAIL_NOT_CONFIRMED "));
        await c.SendAsync("/ping");
        Assert.That(await c.ReadLineAsync(), Does.StartWith("ERR AUTH_REQUIRED "), "still connected, still logged out");

        // Once confirmed (as the link in the email would), AUTH works; and a new SIGNUP of the same address gets
        // the very same answer as a new account (Supabase answers with an obfuscated user): nothing is revealed.
        var (status, users) = await server.DevAuthAdminAsync(HttpMethod.Get, "/admin/users");
        Assert.That(status, Is.EqualTo(200));
        string id = users.GetProperty("users").EnumerateArray().First(u => u.GetProperty("email").GetString() == email).GetProperty("id").GetString()!;
        (status, _) = await server.DevAuthAdminAsync(HttpMethod.Put, "/admin/users/" + id, new { email_confirm = true });
        Assert.That(status, Is.EqualTo(200));
        await c.SendAsync($"AUTH {email} confirm-me-please");
        Assert.That(await c.ReadLineAsync(), Does.StartWith("OK AUTH "));
        await using var d = await server.ConnectAsync();
        await d.SendAsync($"SIGNUP {email} some-other-password");
        Assert.That(await d.ReadLineAsync(), Is.EqualTo("OK SIGNUP check your email to confirm, then AUTH"));
    }

    [Test]
    public async Task AConnectionThatNeverLogsInIsClosedWithAuthTimeout()
    {
        await using var server = await ChatServerFixture.StartAsync("Chat:LoginTimeout=00:00:01");
        await using var c = await server.ConnectAsync();
        var lines = await c.ReadUntilClosedAsync();
        Assert.That(lines, Is.EqualTo(new[] { lines[0] }));
        Assert.That(lines[0], Does.StartWith("ERR AUTH_TIMEOUT "));
    }

    [Test]
    public async Task TheLineRateLimitRefusesAndDoesNotDeliver()
    {
        await using var server = await ChatServerFixture.StartAsync("Chat:MessagesPerSecond=1", "Chat:MessageBurst=3");
        var a = await server.SignUpAsync();
        var b = await server.SignUpAsync();
        await a.ExpectAsync("#lobby * " + b.Nick + " joined");
        // Burst 3 at 1 line/s, and the SIGNUP line took one: of 6 lines sent at once, 2 pass (3 if the login took over
        // a second) and the rest are refused, in order.
        var payload = string.Concat(Enumerable.Range(1, 6).Select(i => $"flood {i}\n"));
        await a.SendRawAsync(System.Text.Encoding.ASCII.GetBytes(payload));
        for (int i = 0; i < 3; i++)
        {
            Assert.That(await a.ReadLineAsync(), Does.StartWith("ERR RATE_LIMITED "));
        }

        // Every line a sent that could pass is handled now; all b got from them comes before the answer to its ping.
        await b.SendAsync("/ping");
        var (seen, _) = await b.ReadListingAsync("OK PONG");
        int passed = seen.Count;
        Assert.That(passed, Is.InRange(2, 3));
        Assert.That(seen, Is.EqualTo(Enumerable.Range(1, passed).Select(i => $"#lobby {a.Nick}: flood {i}")));
        for (int i = 3; i < 6 - passed; i++)
        {
            Assert.That(await a.ReadLineAsync(), Does.StartWith("ERR RATE_LIMITED "), "one ERR per refused line");
        }
    }

    private async Task<ChatTestClient> SignUpOnlyAsync(string email, string password)
    {
        var c = await _server.ConnectAsync();
        await c.SendAsync($"SIGNUP {email} {password}");
        await c.ExpectNextAsync("OK AUTH ");
        return c;
    }
}

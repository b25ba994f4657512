using NUnit.Framework;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Integration;

/// <summary>
/// Logins end when Supabase says so: sessions are refreshed before their 2 s access tokens expire, and a sign-out
/// elsewhere, a ban or a deletion ends the chat login with ERR SESSION_EXPIRED.
/// </summary>
[CancelAfter(TestTimeouts.Test)]
public class SessionTests
{
    private ChatServerFixture _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await ChatServerFixture.StartAsync(
        "DevAuth:AccessTokenLifetimeSeconds=2", "Chat:SessionCheckInterval=00:00:01", "DevAuth:RefreshTokenReuseIntervalSeconds=0");

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    private async Task<(ChatTestClient Client, string Email, string UserId)> LoginAsync()
    {
        string email = ChatServerFixture.NewEmail("sess");
        var client = await _server.ConnectAsync();
        await client.SendAsync($"SIGNUP {email} session-password");
        client.Nick = (await client.ExpectNextAsync("OK AUTH "))["OK AUTH ".Length..];
        await client.ExpectNextAsync("OK JOIN #lobby");
        await client.SendAsync("/leave #lobby");
        await client.ExpectAsync("OK LEAVE");
        var (_, userId) = await _server.PasswordGrantAsync(email, "session-password");
        return (client, email, userId);
    }

    /// <summary>
    /// Pings for <paramref name="period"/>: every answer must be OK PONG (no SESSION_EXPIRED, no close). The server checks
    /// sessions every second, so each answer comes after it had the chance to refresh or end the login.
    /// </summary>
    private static async Task StaysLoggedInAsync(ChatTestClient client, TimeSpan period)
    {
        var started = DateTime.UtcNow;
        while (DateTime.UtcNow - started < period)
        {
            await client.SendAsync("/ping");
            Assert.That(await client.ReadLineAsync(), Is.EqualTo("OK PONG"));
            await Task.Delay(200); // pacing our own pings, not synchronizing
        }
    }

    private static async Task ExpectSessionExpiredAsync(ChatTestClient client)
    {
        var lines = await client.ReadUntilClosedAsync();
        Assert.That(lines, Is.Not.Empty);
        Assert.That(lines[^1], Does.StartWith("ERR SESSION_EXPIRED "));
    }

    [Test]
    public async Task ASessionOutlivesItsAccessTokenByBeingRefreshed()
    {
        var (client, _, _) = await LoginAsync();
        // The login must outlive several 2-second tokens.
        await StaysLoggedInAsync(client, TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task ABanEndsTheLogin()
    {
        var (client, _, userId) = await LoginAsync();
        var (status, _) = await _server.DevAuthAdminAsync(HttpMethod.Put, "/admin/users/" + userId, new { ban_duration = "24h" });
        Assert.That(status, Is.EqualTo(200));
        await ExpectSessionExpiredAsync(client);
    }

    [Test]
    public async Task DeletingTheUserEndsTheLogin()
    {
        var (client, _, userId) = await LoginAsync();
        var (status, _) = await _server.DevAuthAdminAsync(HttpMethod.Delete, "/admin/users/" + userId);
        Assert.That(status, Is.EqualTo(200));
        await ExpectSessionExpiredAsync(client);
    }

    [Test]
    public async Task AGlobalSignOutElsewhereEndsTheLogin()
    {
        var (client, email, _) = await LoginAsync();
        var (token, _) = await _server.PasswordGrantAsync(email, "session-password");
        var (status, _) = await _server.DevAuthCallAsync(HttpMethod.Post, "/logout", bearer: token); // scope=global by default
        Assert.That(status, Is.EqualTo(204));
        await ExpectSessionExpiredAsync(client);
    }

    [Test]
    public async Task ALocalSignOutElsewhereLeavesTheChatLoginAlone()
    {
        var (client, email, _) = await LoginAsync();
        var (token, _) = await _server.PasswordGrantAsync(email, "session-password");
        var (status, _) = await _server.DevAuthCallAsync(HttpMethod.Post, "/logout?scope=local", bearer: token);
        Assert.That(status, Is.EqualTo(204));
        await StaysLoggedInAsync(client, TimeSpan.FromSeconds(3));
    }

    [Test]
    public async Task ATokenLoginEndsWhenItsTokenExpires()
    {
        var (first, email, _) = await LoginAsync();
        await first.DisposeAsync();
        var (token, _) = await _server.PasswordGrantAsync(email, "session-password");
        await using var client = await _server.ConnectAsync();
        await client.SendAsync("TOKEN " + token);
        await client.ExpectNextAsync("OK AUTH ");
        await ExpectSessionExpiredAsync(client);
    }
}

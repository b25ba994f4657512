using System.Net;
using System.Net.NetworkInformation;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using NUnit.Framework;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Integration;

/// <summary>TLS, connection limits, timeouts and login protection, over real sockets.</summary>
[CancelAfter(TestTimeouts.Test)]
public class LimitsAndTlsTests
{
    private static Func<Stream, Task<Stream>> Tls(TestCertificate certificate, SslProtocols protocols = SslProtocols.None) => async stream =>
    {
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, cert, _, _) =>
            cert is not null && string.Equals(cert.GetCertHashString(HashAlgorithmName.SHA256), certificate.Thumbprint, StringComparison.OrdinalIgnoreCase));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = protocols })
            .WaitAsync(TestTimeouts.Default);
        return ssl;
    };

    /// <summary>A client socket bound to a given local address (127.0.0.2 is a different client address on loopback).</summary>
    private static async Task<ChatTestClient> ConnectFromAsync(IPAddress local, IPEndPoint server, bool readGreeting = true)
    {
        return await ChatTestClient.ConnectAsync(server, readGreeting, bindTo: local);
    }

    private static IPAddress NonLoopbackAddress()
    {
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        Assert.That(address, Is.Not.Null, "this test needs a non-loopback IPv4 address on the machine (e.g. eth0) to act as a remote client");
        return address!;
    }

    [Test]
    public async Task TheTlsListenerServesTheSameProtocol()
    {
        using var certificate = new TestCertificate();
        await using var server = await ChatServerFixture.StartAsync(
            $"Chat:Tls:CertificatePath={certificate.CertificatePath}", $"Chat:Tls:KeyPath={certificate.KeyPath}", "Chat:Tls:Port=0");
        await using var secure = await ChatTestClient.ConnectAsync(server.Server.TlsEndpoint!, wrap: Tls(certificate));
        await secure.SendAsync($"SIGNUP {ChatServerFixture.NewEmail("tls")} over-tls-password");
        await secure.ExpectNextAsync("OK AUTH ");
        await secure.ExpectNextAsync("OK JOIN #lobby");
        var plain = await server.SignUpAsync();
        await secure.ExpectAsync("#lobby * " + plain.Nick + " joined");
        await plain.SendAsync("hello over plaintext");
        Assert.That(await secure.ExpectAsync("#lobby " + plain.Nick), Is.EqualTo($"#lobby {plain.Nick}: hello over plaintext"));
    }

    [TestCase(SslProtocols.Tls12)]
    [TestCase(SslProtocols.Tls13)]
    public async Task TlsOneTwoAndOneThreeAreServed(SslProtocols protocol)
    {
        using var certificate = new TestCertificate();
        await using var server = await ChatServerFixture.StartAsync(
            $"Chat:Tls:CertificatePath={certificate.CertificatePath}", $"Chat:Tls:KeyPath={certificate.KeyPath}", "Chat:Tls:Port=0");
        await using var client = await ChatTestClient.ConnectAsync(server.Server.TlsEndpoint!, wrap: Tls(certificate, protocol));
        Assert.That(((SslStream)client.Stream).SslProtocol, Is.EqualTo(protocol));
        await client.SendAsync("HELP");
        var (rows, _) = await client.ReadListingAsync("OK HELP");
        Assert.That(rows, Is.Not.Empty);
    }

    [Test]
    public async Task RemotePlaintextLoginsAreRefusedWhenTlsIsRequired()
    {
        var remote = NonLoopbackAddress();
        using var certificate = new TestCertificate();
        await using var server = await ChatServerFixture.StartAsync(
            "Chat:Host=0.0.0.0", $"Chat:Tls:CertificatePath={certificate.CertificatePath}", $"Chat:Tls:KeyPath={certificate.KeyPath}",
            "Chat:Tls:Port=0", "Chat:RequireTlsForRemoteLogin=true");
        await using var c = await ChatTestClient.ConnectAsync(new IPEndPoint(remote, server.EndPoint.Port));
        await c.SendAsync($"SIGNUP {ChatServerFixture.NewEmail()} plaintext-password");
        Assert.That(await c.ReadLineAsync(), Does.StartWith("ERR TLS_REQUIRED "));
        await c.SendAsync("AUTH someone@example.com plaintext-password");
        Assert.That(await c.ReadLineAsync(), Does.StartWith("ERR TLS_REQUIRED "));
        await c.SendAsync("HELP");
        var (rows, _) = await c.ReadListingAsync("OK HELP");
        Assert.That(rows, Is.Not.Empty, "the connection stays");

        // Loopback stays allowed (a local proxy or nc on the host), and TLS from the remote address works.
        var local = await server.SignUpAsync();
        Assert.That(local.Nick, Is.Not.Empty);
        await using var secure = await ChatTestClient.ConnectAsync(new IPEndPoint(remote, server.Server.TlsEndpoint!.Port), wrap: Tls(certificate));
        await secure.SendAsync($"SIGNUP {ChatServerFixture.NewEmail()} over-tls-password");
        await secure.ExpectNextAsync("OK AUTH ");
    }

    [Test]
    public async Task ConnectionsBeyondTheLimitsGetServerFullAndAreClosed()
    {
        await using var server = await ChatServerFixture.StartAsync("Chat:MaxConnections=3", "Chat:MaxConnectionsPerAddress=2");
        await using var a = await server.ConnectAsync();
        await using var b = await server.ConnectAsync();
        await using (var third = await server.ConnectAsync(readGreeting: false))
        {
            var lines = await third.ReadUntilClosedAsync();
            Assert.That(lines, Has.Count.EqualTo(1));
            Assert.That(lines[0], Does.StartWith("ERR SERVER_FULL "));
        }

        await using var other = await ConnectFromAsync(IPAddress.Parse("127.0.0.2"), server.EndPoint);
        await using (var fourth = await ConnectFromAsync(IPAddress.Parse("127.0.0.3"), server.EndPoint, readGreeting: false))
        {
            var lines = await fourth.ReadUntilClosedAsync();
            Assert.That(lines, Is.EqualTo(new[] { lines[0] }));
            Assert.That(lines[0], Does.StartWith("ERR SERVER_FULL "));
        }

        // A slot freed is a slot usable again.
        await a.SendAsync("QUIT");
        await a.ExpectNextAsync("OK BYE");
        Assert.That(await a.ReadLineAsync(), Is.Null);
        ChatTestClient? again = null;
        for (int i = 0; again is null; i++)
        {
            // The server frees the slot just after the client sees EOF: retry until admitted (bounded).
            var attempt = await server.ConnectAsync(readGreeting: false);
            string? first = await attempt.ReadLineAsync();
            if (first?.StartsWith("* tcpchat", StringComparison.Ordinal) == true)
            {
                again = attempt;
            }
            else
            {
                Assert.That(first, Does.StartWith("ERR SERVER_FULL "));
                Assert.That(i, Is.LessThan(50), "the freed slot was never reused");
                await attempt.DisposeAsync();
            }
        }

        await again.DisposeAsync();
    }

    [Test]
    public async Task RoomsBiggerThanThePresenceLimitDoNotAnnounceJoinsButDeliverChat()
    {
        await using var server = await ChatServerFixture.StartAsync("Chat:PresenceEventsMaxMembers=2");
        var a = await server.SignUpAsync("a");
        var b = await server.SignUpAsync("b");
        Assert.That(await a.ExpectNextAsync("#lobby * "), Is.EqualTo($"#lobby * {b.Nick} joined"), "2 members: announced");
        var c = await server.SignUpAsync("c");
        await c.SendAsync("hello big room");
        // The next thing a sees is c's line: c's join (a room of 3) was not announced.
        Assert.That(await a.ReadLineAsync(), Is.EqualTo($"#lobby {c.Nick}: hello big room"));
        Assert.That(await b.ReadLineAsync(), Is.EqualTo($"#lobby {c.Nick}: hello big room"));
    }

    [Test]
    public async Task AnIdleLoggedInClientIsClosedWhenTheIdleTimeoutIsOn()
    {
        await using var server = await ChatServerFixture.StartAsync("Chat:IdleTimeout=00:00:01");
        var c = await server.SignUpAsync();
        var lines = await c.ReadUntilClosedAsync();
        Assert.That(lines[^1], Is.EqualTo("* idle for too long; closing"));
    }

    [Test]
    public async Task OneAbusiveAddressIsThrottledWhileOthersStillLogIn()
    {
        await using var server = await ChatServerFixture.StartAsync("Supabase:LoginsPerMinutePerAddress=1", "Supabase:LoginBurstPerAddress=3");
        string email = ChatServerFixture.NewEmail("victim");
        await using (var owner = await ConnectFromAsync(IPAddress.Parse("127.0.0.4"), server.EndPoint))
        {
            await owner.SendAsync($"SIGNUP {email} the-real-password");
            await owner.ExpectNextAsync("OK AUTH ");
        }

        // The attacker at 127.0.0.5 guesses passwords over fresh connections: 3 tries, then refused locally.
        var answers = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            await using var attacker = await ConnectFromAsync(IPAddress.Parse("127.0.0.5"), server.EndPoint);
            await attacker.SendAsync($"AUTH {email} guess-{i}");
            answers.Add(await attacker.ReadLineAsync() ?? "");
        }

        Assert.That(answers.Take(3), Has.All.StartWith("ERR INVALID_CREDENTIALS "));
        Assert.That(answers.Skip(3), Has.All.StartWith("ERR RATE_LIMITED "));

        await using var owner2 = await ConnectFromAsync(IPAddress.Parse("127.0.0.6"), server.EndPoint);
        await owner2.SendAsync($"AUTH {email} the-real-password");
        Assert.That(await owner2.ReadLineAsync(), Does.StartWith("OK AUTH "), "another address is not locked out");
    }

    [Test]
    public async Task WithIpForwardingSupabaseRateLimitsEachClientAddressSeparately()
    {
        // The embedded endpoint keys its token bucket (burst 30) by Sb-Forwarded-For when called with the secret key,
        // as hosted Supabase does with "IP Address Forwarding" on.
        await using var server = await ChatServerFixture.StartAsync(
            "DevAuth:TokenRateLimit=30", "Supabase:ForwardClientIp=true", "Supabase:SecretKey=sb_secret_tcpchat_devauth_local_only");
        string email = ChatServerFixture.NewEmail("fwd");
        await using (var owner = await ConnectFromAsync(IPAddress.Parse("127.0.0.7"), server.EndPoint))
        {
            await owner.SendAsync($"SIGNUP {email} forwarded-password");
            await owner.ExpectNextAsync("OK AUTH ");
        }

        string? last = null;
        for (int i = 0; i < 31; i++)
        {
            await using var c = await ConnectFromAsync(IPAddress.Parse("127.0.0.8"), server.EndPoint);
            await c.SendAsync($"AUTH {email} forwarded-password");
            last = await c.ReadLineAsync();
            if (last?.StartsWith("ERR RATE_LIMITED ", StringComparison.Ordinal) == true)
            {
                break;
            }

            Assert.That(last, Does.StartWith("OK AUTH "));
        }

        Assert.That(last, Does.StartWith("ERR RATE_LIMITED "), "Supabase's bucket for 127.0.0.8 ran out");
        await using var other = await ConnectFromAsync(IPAddress.Parse("127.0.0.9"), server.EndPoint);
        await other.SendAsync($"AUTH {email} forwarded-password");
        Assert.That(await other.ReadLineAsync(), Does.StartWith("OK AUTH "), "127.0.0.9 has its own bucket at Supabase");
    }

    [Test]
    public async Task AnUnreachableSupabaseAnswersAuthUnavailableAndLeaksNothing()
    {
        // Port 9 (discard) on loopback: nothing listens, so every call is refused at once.
        await using var server = await ChatServerFixture.StartAsync("Supabase:Url=http://127.0.0.1:9", "Supabase:AnonKey=sb_publishable_x", "Supabase:Timeout=00:00:02");
        int threadsBefore = ThreadPool.ThreadCount;
        for (int round = 0; round < 10; round++)
        {
            await using var c = await server.ConnectAsync();
            for (int i = 0; i < 5; i++)
            {
                await c.SendAsync($"AUTH someone{i}@example.com some-password");
                Assert.That(await c.ReadLineAsync(), Does.StartWith("ERR AUTH_UNAVAILABLE "));
            }
        }

        Assert.That(ThreadPool.ThreadCount, Is.LessThan(threadsBefore + 16), "no threads pile up behind failing calls");
        // The server drops closed connections just after the client's EOF: await its idle signal.
        await server.Server.WhenIdle().WaitAsync(TestTimeouts.Default);

        Assert.That(server.Server.ConnectionCount, Is.Zero, "no connection is left behind");
    }
}

using System.Net.Security;
using System.Security.Cryptography;
using System.Text;
using NUnit.Framework;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Integration;

/// <summary>
/// Issue 13 item 10: when the server closes, the client sees a clean end of stream right after the last line (a TCP
/// FIN, and TLS close_notify), even when it had sent more that the server never read.
/// </summary>
[CancelAfter(TestTimeouts.Test)]
public class CloseTests
{
    // More than the server reads at once, so some of it is still unread in the socket when the server closes.
    private static readonly byte[] QuitThenMore = Encoding.ASCII.GetBytes("QUIT\n" + string.Concat(Enumerable.Repeat(new string('x', 99) + "\n", 2000)));

    /// <summary>Everything up to the end of the stream; fails if the stream ends with an error (a reset) instead.</summary>
    private static async Task<string> ReadToCleanEndAsync(Stream stream)
    {
        var received = new MemoryStream();
        byte[] buffer = new byte[4096];
        while (true)
        {
            int n;
            try
            {
                n = await stream.ReadAsync(buffer).AsTask().WaitAsync(TestTimeouts.Default);
            }
            catch (IOException ex)
            {
                Assert.Fail($"the stream ended with an error, not a clean close: {ex.Message}; got: {Encoding.UTF8.GetString(received.ToArray())}");
                throw;
            }

            if (n == 0)
            {
                return Encoding.UTF8.GetString(received.ToArray());
            }

            received.Write(buffer, 0, n);
        }
    }

    [Test]
    public async Task APlainClientReadsEndOfStreamRightAfterOkBye()
    {
        await using var server = await ChatServerFixture.StartAsync();
        await using var client = await ChatTestClient.ConnectAsync(server.EndPoint, readGreeting: false);
        await client.SendRawAsync(QuitThenMore);

        // Read only once the server has closed: a reset (from closing with unread input) would have arrived by then.
        await server.Server.WhenIdle().WaitAsync(TestTimeouts.Default);
        string text = await ReadToCleanEndAsync(client.Stream);
        Assert.That(text, Does.EndWith("OK BYE\n"));
    }

    [Test]
    public async Task APlainClientReadsEndOfStreamRightAfterAnErrThatCloses()
    {
        await using var server = await ChatServerFixture.StartAsync("Chat:LoginTimeout=00:00:00.300");
        await using var client = await ChatTestClient.ConnectAsync(server.EndPoint, readGreeting: false);
        await client.SendRawAsync("half a line"u8.ToArray());
        string text = await ReadToCleanEndAsync(client.Stream);
        Assert.That(text.TrimEnd('\n').Split('\n')[^1], Does.StartWith("ERR AUTH_TIMEOUT "));
    }

    [Test]
    public async Task ATlsClientReadsACleanCloseRightAfterOkBye()
    {
        using var certificate = new TestCertificate();
        await using var server = await ChatServerFixture.StartAsync(
            $"Chat:Tls:CertificatePath={certificate.CertificatePath}", $"Chat:Tls:KeyPath={certificate.KeyPath}", "Chat:Tls:Port=0");
        await using var client = await ChatTestClient.ConnectAsync(server.Server.TlsEndpoint!, readGreeting: false, wrap: async stream =>
        {
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, cert, _, _) =>
                cert is not null && string.Equals(cert.GetCertHashString(HashAlgorithmName.SHA256), certificate.Thumbprint, StringComparison.OrdinalIgnoreCase));
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }).WaitAsync(TestTimeouts.Default);
            return ssl;
        });
        await client.SendRawAsync(QuitThenMore);

        // Read only once the server has closed: a reset (from closing with unread input) would have arrived by then.
        await server.Server.WhenIdle().WaitAsync(TestTimeouts.Default);
        string text = await ReadToCleanEndAsync(client.Stream);
        Assert.That(text, Does.EndWith("OK BYE\n"));
    }
}

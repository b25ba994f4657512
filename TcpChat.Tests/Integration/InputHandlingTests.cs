using System.Text;
using NUnit.Framework;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Integration;

/// <summary>What reaches other users from oversized lines, escapes, invalid UTF-8 and telnet bytes, over real sockets.</summary>
[CancelAfter(TestTimeouts.Test)]
public class InputHandlingTests
{
    private ChatServerFixture _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await ChatServerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    private Task<(ChatTestClient A, ChatTestClient B, string Room)> PairAsync() => _server.PairInNewRoomAsync("in");

    [Test]
    public async Task AnOversizedLineIsRefusedAndTheConnectionStays()
    {
        var (a, b, room) = await PairAsync();
        await a.SendAsync(new string('x', 4097));
        Assert.That(await a.ReadLineAsync(), Does.StartWith("ERR LINE_TOO_LONG "));
        await a.SendAsync(new string('y', 4096));
        Assert.That(await b.ExpectAsync(room), Is.EqualTo($"{room} {a.Nick}: {new string('y', 4096)}"), "exactly the limit is fine");
    }

    [Test]
    public async Task AnEndlessLineIsDiscardedWithoutClosing()
    {
        var (a, b, room) = await PairAsync();
        var chunk = Encoding.ASCII.GetBytes(new string('z', 64 * 1024));
        for (int i = 0; i < 64; i++)
        {
            await a.SendRawAsync(chunk); // 4 MiB with no newline
        }

        await a.SendRawAsync("\nafter\n"u8.ToArray());
        Assert.That(await a.ReadLineAsync(), Does.StartWith("ERR LINE_TOO_LONG "));
        Assert.That(await b.ExpectAsync(room), Is.EqualTo($"{room} {a.Nick}: after"));
    }

    [Test]
    public async Task EscapeSequencesAndControlCharactersNeverReachOthers()
    {
        var (a, b, room) = await PairAsync();
        await a.SendAsync("\u001B[2J\u001B[31mred\u001B[0m \u001B]0;title\u0007bell\u0007 tab\there\0");
        Assert.That(await b.ExpectAsync(room), Is.EqualTo($"{room} {a.Nick}: red bell tab\there"));
    }

    [Test]
    public async Task InvalidUtf8IsReplaced()
    {
        var (a, b, room) = await PairAsync();
        await a.SendRawAsync([(byte)'o', (byte)'k', 0xC3, 0x28, (byte)' ', 0xFE, (byte)'\n']);
        Assert.That(await b.ExpectAsync(room), Is.EqualTo($"{room} {a.Nick}: ok\uFFFD( \uFFFD"));
    }

    [Test]
    public async Task TelnetNegotiationCrNulAndCrLfAreHandled()
    {
        var (a, b, room) = await PairAsync();
        byte[] telnet = [0xFF, 0xFB, 0x1F, 0xFF, 0xFA, 0x1F, 0x00, 0x50, 0xFF, 0xF0, (byte)'h', (byte)'i', 0x0D, 0x00, (byte)'!', 0xFF, 0xFF, 0x0D, 0x0A];
        await a.SendRawAsync(telnet);
        Assert.That(await b.ExpectAsync(room), Is.EqualTo($"{room} {a.Nick}: hi!\uFFFD"));
    }

    [Test]
    public async Task CrLfLoginFromTelnetWorks()
    {
        await using var c = await _server.ConnectAsync();
        await c.SendRawAsync(Encoding.ASCII.GetBytes("HELP\r\n"));
        var (rows, _) = await c.ReadListingAsync("OK HELP");
        Assert.That(rows, Is.Not.Empty);
    }

    [Test]
    public async Task CrLfNewlineOptionEndsServerLinesWithCrLf()
    {
        await using var server = await ChatServerFixture.StartAsync("Chat:Newline=crlf");
        await using var c = await ChatTestClient.ConnectAsync(server.EndPoint, readGreeting: false);
        var buffer = new byte[512];
        int n = 0;
        while (n == 0 || buffer[n - 1] != (byte)'\n')
        {
            n += await c.Stream.ReadAsync(buffer.AsMemory(n)).AsTask().WaitAsync(TestTimeouts.Default);
        }

        Assert.That(buffer[n - 2], Is.EqualTo((byte)'\r'));
    }

    [Test]
    public async Task AClientThatStopsReadingIsClosedAndTheOthersGetEveryLineInOrder()
    {
        // v2: behind is not enough, the client must stay behind for the grace (kept short here).
        await using var server = await ChatServerFixture.StartAsync("Chat:OutboxBytes=262144", "Chat:SlowConsumerGrace=00:00:01");
        var sender = await server.SignUpAsync("sender");
        var reader = await server.SignUpAsync("reader");
        await sender.ExpectAsync("#lobby * " + reader.Nick + " joined");

        var stalled = await server.SignUpStalledAsync(sender, reader);

        // ~12 MB in all, more than the kernel buffers and the outbox together. The sender waits until the healthy
        // reader has each batch, so only the stalled client falls behind.
        const int count = 12_000;
        const int batchLines = 100;
        string filler = new('f', 1000);
        for (int start = 0; start < count; start += batchLines)
        {
            var batch = new StringBuilder();
            for (int i = start; i < start + batchLines; i++)
            {
                batch.Append(i).Append(' ').Append(filler).Append('\n');
            }

            await sender.SendRawAsync(Encoding.ASCII.GetBytes(batch.ToString()));
            for (int i = start; i < start + batchLines; i++)
            {
                string line = await reader.ExpectAsync("#lobby " + sender.Nick + ": ");
                Assert.That(line, Is.EqualTo($"#lobby {sender.Nick}: {i} {filler}"), "every line, in order");
            }
        }

        var stalledGot = await stalled.ReadUntilClosedAsync();
        Assert.That(stalledGot.Count(l => l.StartsWith("#lobby " + sender.Nick + ": ", StringComparison.Ordinal)), Is.LessThan(count),
            "the stalled client was cut off, not fed everything");
        string quit = await reader.ExpectAsync("#lobby * ");
        Assert.That(quit, Does.EndWith(" quit (slow consumer)"), "the others are told why it left");
        await reader.SendAsync("/who");
        var (users, _) = await reader.ReadListingAsync("OK WHO");
        Assert.That(users, Has.Count.EqualTo(2), "the stalled client left the room");
    }
}

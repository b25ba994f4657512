using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using NUnit.Framework;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Integration;

/// <summary>
/// Issues 11 (text) and 13 (a person at a terminal): login lines retyped by mistake, bare command words, blank lines,
/// layout controls, over real sockets.
/// </summary>
[CancelAfter(TestTimeouts.Test)]
public class TerminalTests
{
    private ChatServerFixture _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await ChatServerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    private Task<(ChatTestClient A, ChatTestClient B, string Room)> PairAsync() => _server.PairInNewRoomAsync("t");

    [TestCase(" AUTH a@example.com hunter2")]
    [TestCase("\tauth a@example.com hunter2")]
    [TestCase("  /Auth a@example.com hunter2")]
    [TestCase("//AUTH a@example.com hunter2")]
    [TestCase("Signup\ta@example.com hunter2")]
    [TestCase(" RESET a@example.com 123456 hunter2")]
    [TestCase(" TOKEN aaa.bbb.ccc")]
    public async Task ARetypedLoginLineNeverReachesTheRoomOrItsHistory(string line)
    {
        var (a, b, room) = await PairAsync();
        await a.SendAsync(line);
        Assert.That(await a.ReadLineAsync(), Does.StartWith("ERR ALREADY_AUTHENTICATED "));
        await a.SendAsync("after");
        Assert.That(await b.ReadLineAsync(), Is.EqualTo($"{room} {a.Nick}: after"), "the login line was not broadcast");
        await b.SendAsync("/history " + room);
        var (rows, _) = await b.ReadListingAsync("OK HISTORY");
        Assert.That(rows, Has.Count.EqualTo(1).And.All.EndsWith(": after"), "nor kept in the history");
    }

    [TestCase("help", "/help")]
    [TestCase(" HELP ", "/help")]
    [TestCase("Quit", "/quit")]
    [TestCase("exit", "/quit")]
    [TestCase("who", "/who")]
    [TestCase("rooms\t", "/rooms")]
    public async Task ABareCommandWordGetsAHintAndIsNotBroadcast(string line, string meant)
    {
        var (a, b, room) = await PairAsync();
        await a.SendAsync(line);
        Assert.That(await a.ReadLineAsync(), Does.StartWith($"* did you mean {meant}? "));
        await a.SendAsync("//help");
        Assert.That(await b.ReadLineAsync(), Is.EqualTo($"{room} {a.Nick}: /help"), "the bare word was not broadcast; //help still is");
    }

    [Test]
    public async Task TheHelpBeforeLoginNoLongerSaysTheSlashIsOptionalAfterIt()
    {
        await using var c = await _server.ConnectAsync();
        await c.SendAsync("HELP");
        var (rows, _) = await c.ReadListingAsync("OK HELP");
        Assert.That(rows, Has.Some.Contains("after login a line without / is chat"));
    }

    [Test]
    public async Task LineSeparatorsAndBidiControlsNeverReachOthers()
    {
        var (a, b, room) = await PairAsync();
        await a.SendAsync("a\u2028b\u2029c \u202Eevil\u202C \u2066x\u2069 \u200Em\u200F\u061Cz");
        Assert.That(await b.ReadLineAsync(), Is.EqualTo($"{room} {a.Nick}: abc evil x mz"));
    }

    [Test]
    public async Task BlankLinesDoNotKeepAnIdleClientAlive()
    {
        await using var server = await ChatServerFixture.StartAsync("Chat:IdleTimeout=00:00:02");
        var c = await server.SignUpAsync();
        var clock = Stopwatch.StartNew();
        var closed = c.ReadUntilClosedAsync();
        while (!closed.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(6))
        {
            await c.SendRawAsync(Encoding.ASCII.GetBytes("\n  \r\n\t\n"));
            await Task.WhenAny(closed, Task.Delay(200));
        }

        Assert.That(closed.IsCompleted, Is.True, "closed for idling although it sent blank lines");
        Assert.That((await closed)[^1], Is.EqualTo("* idle for too long; closing"));
    }

    // ---- telnet, with the bytes a real telnet client sends ----

    private static async Task<byte[]> ReadBytesAsync(Stream stream, int count)
    {
        byte[] buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(TestTimeouts.Default);
        return buffer;
    }

    private static async Task<string> ReadRawLineAsync(Stream stream)
    {
        var line = new List<byte>();
        while ((await ReadBytesAsync(stream, 1))[0] is var b && b != (byte)'\n')
        {
            line.Add(b);
        }

        return Encoding.UTF8.GetString([.. line]);
    }

    private async Task<ChatTestClient> RawClientAsync()
    {
        var c = await ChatTestClient.ConnectAsync(_server.EndPoint, readGreeting: false);
        Assert.That(await ReadRawLineAsync(c.Stream), Does.StartWith("* tcpchat"));
        return c;
    }

    [Test]
    public async Task CtrlCInTelnetGetsItsTimingMarkAndTheSessionGoesOn()
    {
        await using var c = await RawClientAsync();
        await c.SendRawAsync([0xFF, 0xF4, 0xFF, 0xFD, 0x06]); // IAC IP IAC DO TIMING-MARK, no newline
        Assert.That(await ReadBytesAsync(c.Stream, 3), Is.EqualTo(new byte[] { 0xFF, 0xFB, 0x06 }), "IAC WILL TIMING-MARK");
        await c.SendRawAsync("HELP\r\n"u8.ToArray());
        Assert.That(await ReadRawLineAsync(c.Stream), Does.StartWith("HELP "));
    }

    [Test]
    public async Task AreYouThereGetsAVisibleLine()
    {
        await using var c = await RawClientAsync();
        await c.SendRawAsync([0xFF, 0xF6]); // IAC AYT
        Assert.That(await ReadRawLineAsync(c.Stream), Is.EqualTo("* yes, tcpchat is here"));
    }

    [Test]
    public async Task OptionsAreRefusedOnceAndNeverLoop()
    {
        await using var c = await RawClientAsync();
        byte[] negotiation = [0xFF, 0xFD, 0x01, 0xFF, 0xFD, 0x03, 0xFF, 0xFB, 0x1F, 0xFF, 0xFB, 0x18]; // DO ECHO, DO SGA, WILL NAWS, WILL TTYPE
        await c.SendRawAsync(negotiation);
        Assert.That(
            await ReadBytesAsync(c.Stream, 12),
            Is.EqualTo(new byte[] { 0xFF, 0xFC, 0x01, 0xFF, 0xFC, 0x03, 0xFF, 0xFE, 0x1F, 0xFF, 0xFE, 0x18 }),
            "WONT ECHO, WONT SGA, DONT NAWS, DONT TTYPE");
        await c.SendRawAsync([.. negotiation, .. "HELP\n"u8.ToArray()]);
        Assert.That(await ReadRawLineAsync(c.Stream), Does.StartWith("HELP "), "the same requests again get no second answer");
    }

    [Test]
    public async Task TelnetSynchLeavesNoStrayByte()
    {
        var (a, b, room) = await PairAsync();
        a.Socket.Send([0xFF, 0xF2], SocketFlags.OutOfBand); // send synch: IAC DM as urgent data
        await a.SendAsync("hello");
        Assert.That(await b.ReadLineAsync(), Is.EqualTo($"{room} {a.Nick}: hello"));
    }

    // ---- pasting ----

    [Test]
    public async Task APasteOverTheRateArrivesWholeAndInOrder()
    {
        await using var server = await ChatServerFixture.StartAsync("Chat:MessagesPerSecond=10", "Chat:MessageBurst=20");
        var (a, b, room) = await server.PairInNewRoomAsync("paste");

        // 50 lines in one write: 17 fit what is left of the burst, the other 33 wait and go at 10 a second.
        await a.SendRawAsync(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 50).Select(i => $"pasted {i}\n"))));
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 50; i++)
        {
            Assert.That(await b.ReadLineAsync(), Is.EqualTo($"{room} {a.Nick}: pasted {i}"));
        }

        Assert.That(clock.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(1)), "the paste was slowed down to the rate, not let through at once");
        await a.SendAsync("/ping");
        Assert.That(await a.ReadLineAsync(), Is.EqualTo("OK PONG"), "no line of the paste was refused");
    }
}

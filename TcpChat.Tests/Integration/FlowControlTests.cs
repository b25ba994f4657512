using System.Text;
using NUnit.Framework;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Integration;

/// <summary>v2 flow control: a burst does not close a client that keeps reading; a client that stops reading is closed.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class FlowControlTests
{
    // Failed before the grace (v1 closed on the first byte over Chat:OutboxBytes): the reader got ERR SLOW_CONSUMER
    // after 6,000-13,000 lines in most runs.
    [Test]
    [CancelAfter(120_000)]
    [Repeat(20)]
    public async Task ABurstReachesAReaderThatKeepsReadingAndClosesOneThatNeverReads()
    {
        await using var server = await ChatServerFixture.StartAsync("Chat:MessagesPerSecond=0", "Chat:SlowConsumerGrace=00:00:02");
        var sender = await server.SignUpAsync("burst");
        var reader = await server.SignUpAsync("reader");
        reader.Socket.ReceiveBufferSize = 4 * 1024 * 1024;
        await sender.ExpectAsync("#lobby * " + reader.Nick + " joined");

        var stalled = await server.SignUpStalledAsync(sender, reader);

        // 40,000 lines of 200 bytes (8 MB) in one write: far more than the 1 MiB outbox, far less than the hard limit.
        const int count = 40_000;
        var burst = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            burst.Append(i.ToString("D6")).Append(' ').Append('b', 193).Append('\n');
        }

        var sending = sender.SendRawAsync(Encoding.ASCII.GetBytes(burst.ToString()));
        string prefix = "#lobby " + sender.Nick + ": ";
        for (int i = 0; i < count; i++)
        {
            string line = await reader.ExpectAsync(prefix);
            Assert.That(line.AsSpan(prefix.Length, 6).ToString(), Is.EqualTo(i.ToString("D6")), "every line, in order");
        }

        await sending;
        var stalledGot = await stalled.ReadUntilClosedAsync();
        Assert.That(stalledGot.Count(l => l.StartsWith(prefix, StringComparison.Ordinal)), Is.LessThan(count),
            "the stalled client was closed, not fed everything");
        string quit = await reader.ExpectAsync("#lobby * ");
        Assert.That(quit, Does.EndWith(" quit (slow consumer)"), "the others are told why it left");
        await reader.SendAsync("/who");
        var (users, _) = await reader.ReadListingAsync("OK WHO");
        Assert.That(users, Has.Count.EqualTo(2), "the stalled client left the room; the reader is still in it");
    }
}

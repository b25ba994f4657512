using NUnit.Framework;
using TcpChat.Server.Store;

namespace TcpChat.Tests.Unit.Store;

public class PendingHistoryTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void AFloodIsCoalescedToTheLastLinesOfEachRoomBeforeAnyWrite()
    {
        var pending = new PendingHistory(StoreLimits.Default with { HistoryLines = 50 });
        for (int i = 0; i < 100_000; i++)
        {
            pending.Append(i % 2 == 0 ? "#a" : "#b", new HistoryLine(At, "flood", $"{i}"));
        }

        Assert.That(pending.Count, Is.EqualTo(100), "memory stays bounded: 50 lines per room");
        var batch = pending.TakeBatch();
        Assert.That(batch["#a"].Select(l => l.Value.Text), Is.EqualTo(Enumerable.Range(49_950, 50).Select(i => $"{i * 2}")));
        Assert.That(batch["#a"].Select(l => l.Id), Is.Ordered.Ascending);
    }

    [Test]
    public void AFailedWriteKeepsItsLinesAheadOfNewerOnes()
    {
        var pending = new PendingHistory(StoreLimits.Default with { HistoryLines = 3 });
        pending.Append("#a", new HistoryLine(At, "n", "1"));
        pending.Append("#a", new HistoryLine(At, "n", "2"));
        _ = pending.TakeBatch();
        pending.Append("#a", new HistoryLine(At, "n", "3"));
        pending.Append("#a", new HistoryLine(At, "n", "4"));
        Assert.That(pending.Snapshot("#a").Select(l => l.Value.Text), Is.EqualTo(new[] { "1", "2", "3", "4" }), "the batch in flight stays visible");
        pending.Complete(written: false);
        Assert.That(pending.Snapshot("#a").Select(l => l.Value.Text), Is.EqualTo(new[] { "2", "3", "4" }), "back in order, bounded again");
        _ = pending.TakeBatch();
        pending.Complete(written: true);
        Assert.That(pending.Count, Is.Zero);
    }

    [Test]
    public void AMergeKeepsALineThatIsBothStoredAndPendingOnce()
    {
        var pending = new PendingHistory(StoreLimits.Default);
        var one = new PendingHistory.Line(1, new HistoryLine(At, "n", "one"), 4);
        var two = new PendingHistory.Line(2, new HistoryLine(At, "n", "two"), 4);
        Assert.That(pending.Merge([one, two], [two], 10).Select(l => l.Text), Is.EqualTo(new[] { "one", "two" }));
    }

    [Test]
    public void NoHistoryIsKeptWhenTheSizeIsZero()
    {
        var pending = new PendingHistory(StoreLimits.Default with { HistoryLines = 0 });
        pending.Append("#a", new HistoryLine(At, "n", "x"));
        Assert.That(pending.Count, Is.Zero);
    }
}

using Microsoft.Extensions.Options;
using NUnit.Framework;
using TcpChat.Server.Chat;

namespace TcpChat.Tests.Unit.Chat;

public class RoomAndNickTests
{
    private static ChatSession Member(long id) => FakeOutput.Session(id);

    private static RoomRegistry Rooms(int history = 5) => new(Options.Create(new ChatOptions { HistorySize = history }));

    [TestCase("rust", "#rust")]
    [TestCase("#Rust", "#rust")]
    [TestCase("#a-b_c9", "#a-b_c9")]
    public void NormalizesRoomNames(string input, string expected)
    {
        Assert.That(RoomRegistry.TryNormalize(input, out var name), Is.True);
        Assert.That(name, Is.EqualTo(expected));
    }

    [TestCase("#")]
    [TestCase("")]
    [TestCase("#has space")]
    [TestCase("#dot.dot")]
    [TestCase("#abcdefghijklmnopqrstuvwxyz0123456")]
    public void RejectsBadRoomNames(string input) => Assert.That(RoomRegistry.TryNormalize(input, out _), Is.False);

    [Test]
    public void BroadcastSkipsSenderAndReachesEveryOtherMember()
    {
        var rooms = Rooms();
        var (a, b, c) = (Member(1), Member(2), Member(3));
        foreach (var m in new[] { a, b, c })
        {
            rooms.Join(m, "#x", out _);
        }

        rooms.Find("#x")!.Broadcast("hi\n"u8.ToArray(), except: a);
        Assert.That(a.Received, Is.Empty);
        Assert.That(b.Received, Is.EqualTo(new[] { "hi\n" }));
        Assert.That(c.Received, Is.EqualTo(new[] { "hi\n" }));
    }

    [Test]
    public void TheRoomJoinedLastIsCurrentAndRejoiningMakesItCurrentAgain()
    {
        var rooms = Rooms();
        var a = Member(1);
        Assert.That(rooms.Join(a, "#one", out var one), Is.True);
        rooms.Join(a, "#two", out _);
        Assert.That(rooms.Join(a, "#one", out _), Is.False, "already a member");
        Assert.That(a.CurrentRoom, Is.SameAs(one));
    }

    [Test]
    public void AnEmptyRoomIsRemovedAndAJoinAfterwardsGetsAFreshOne()
    {
        var rooms = Rooms();
        var a = Member(1);
        rooms.Join(a, "#gone", out var first);
        rooms.Leave(a, first);
        Assert.That(rooms.Find("#gone"), Is.Null);
        rooms.Join(a, "#gone", out var second);
        Assert.That(second, Is.Not.SameAs(first));
        Assert.That(second.Members, Is.EqualTo(new ChatSession[] { a }));
    }

    [Test]
    public void ConcurrentJoinsAndLeavesNeverLoseAMember()
    {
        var rooms = Rooms();
        var stayer = Member(0);
        var members = Enumerable.Range(1, 8).Select(i => Member(i)).ToArray();
        Parallel.ForEach(members, m =>
        {
            for (int i = 0; i < 2000; i++)
            {
                rooms.Join(m, "#churn", out var room);
                rooms.Leave(m, room);
            }
        });
        rooms.Join(stayer, "#churn", out var final);
        Assert.That(rooms.Find("#churn"), Is.SameAs(final));
        Assert.That(final.Members, Is.EqualTo(new ChatSession[] { stayer }));
    }

    [Test]
    public void HistoryKeepsTheLastLinesOldestFirst()
    {
        var room = new Room("#h", 3);
        for (int i = 1; i <= 5; i++)
        {
            room.AddHistory(new HistoryEntry(DateTimeOffset.UnixEpoch, "n", "line" + i));
        }

        Assert.That(room.GetHistory(10).Select(e => e.Text), Is.EqualTo(new[] { "line3", "line4", "line5" }));
        Assert.That(room.GetHistory(2).Select(e => e.Text), Is.EqualTo(new[] { "line4", "line5" }));
    }

    [TestCase("alice@example.com", "alice")]
    [TestCase("Al.i+ce@example.com", "Al.ice")]
    [TestCase("+++@example.com", "user")]
    [TestCase("averyveryveryverylongemaillocalpart@example.com", "averyveryveryverylongema")]
    public void DerivesTheDefaultNickFromTheEmail(string email, string nick) =>
        Assert.That(new NickRegistry().ClaimDefault(Member(1), email), Is.EqualTo(nick));

    [Test]
    public void ATakenNickGetsANumberCaseInsensitively()
    {
        var nicks = new NickRegistry();
        Assert.That(nicks.ClaimDefault(Member(1), "alice@a.io"), Is.EqualTo("alice"));
        Assert.That(nicks.ClaimDefault(Member(2), "ALICE@b.io"), Is.EqualTo("ALICE2"));
        Assert.That(nicks.ClaimDefault(Member(3), "alice@c.io"), Is.EqualTo("alice3"));
    }

    [Test]
    public void RenameRefusesANickHeldBySomeoneElseButAllowsACaseChange()
    {
        var nicks = new NickRegistry();
        var a = Member(1);
        var b = Member(2);
        nicks.ClaimDefault(a, "alice@x.io");
        nicks.ClaimDefault(b, "bob@x.io");
        Assert.That(nicks.TryRename(b, "Alice"), Is.False);
        Assert.That(nicks.TryRename(a, "ALICE"), Is.True);
        Assert.That(nicks.TryRename(b, "carol"), Is.True);
        Assert.That(nicks.Find("bob"), Is.Null);
        Assert.That(nicks.Find("CAROL"), Is.SameAs(b));
    }
}

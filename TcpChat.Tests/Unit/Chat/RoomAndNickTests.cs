using NUnit.Framework;
using TcpChat.Server.Chat;

namespace TcpChat.Tests.Unit.Chat;

public class RoomAndNickTests
{
    private static readonly AccountRegistry Accounts = new();

    /// <summary>A logged-in session of its own account (<c>acct-id</c>), or of <paramref name="account"/>'s.</summary>
    private static ChatSession Member(long id, string? account = null)
    {
        var session = FakeOutput.Session(id);
        string accountId = account ?? "acct-" + id;
        Accounts.Attach(session, accountId, accountId + "@x.io", accountId, maxSessions: 10);
        return session;
    }

    private static RoomRegistry Rooms() => new();

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
    public void ARoomCountsAnAccountOnceAndTellsItsFirstJoinAndLastLeave()
    {
        var rooms = Rooms();
        var (laptop, phone, bob) = (Member(1, "acct-alice"), Member(2, "acct-alice"), Member(3));
        Assert.That(rooms.Join(laptop, "#x", out var room), Is.True, "the account's first session");
        Assert.That(rooms.Join(phone, "#x", out _), Is.False, "the account is already there");
        Assert.That(rooms.Join(bob, "#x", out _), Is.True);
        Assert.That(room.Count, Is.EqualTo(2));
        Assert.That(room.Members, Has.Length.EqualTo(3), "delivery still goes to every session");
        Assert.That(room.Accounts().Select(a => a.Id), Is.EquivalentTo(new[] { "acct-alice", "acct-3" }));

        Assert.That(rooms.Leave(laptop, room), Is.False, "the phone is still there");
        Assert.That(rooms.Leave(phone, room), Is.True, "the account's last session");
        Assert.That(room.Count, Is.EqualTo(1));
    }

    [TestCase("alice@example.com", "alice")]
    [TestCase("Al.i+ce@example.com", "Al.ice")]
    [TestCase("+++@example.com", "user")]
    [TestCase("averyveryveryverylongemaillocalpart@example.com", "averyveryveryverylongema")]
    public void DerivesTheDefaultNickFromTheEmail(string email, string nick) =>
        Assert.That(AccountRegistry.DefaultNick(email), Is.EqualTo(nick));

    [Test]
    public void SessionsOfOneAccountShareItsNickUpToTheSessionLimit()
    {
        var accounts = new AccountRegistry();
        var (a, b, c) = (FakeOutput.Session(1), FakeOutput.Session(2), FakeOutput.Session(3));
        var account = accounts.Attach(a, "acct-a", "alice@x.io", "alice", maxSessions: 2);
        Assert.That(accounts.Attach(b, "acct-a", "alice@x.io", "ignored", maxSessions: 2), Is.SameAs(account));
        Assert.That(accounts.Attach(c, "acct-a", "alice@x.io", "alice", maxSessions: 2), Is.Null, "over the limit");
        Assert.That(c.Account, Is.Null);
        Assert.That(b.Nick, Is.EqualTo("alice"));

        accounts.Rename(account!, "Al");
        Assert.That(new[] { a.Nick, b.Nick }, Has.All.EqualTo("Al"));
        Assert.That(accounts.FindByNick("alice"), Is.Null);
        Assert.That(accounts.FindByNick("AL"), Is.SameAs(account));

        accounts.Detach(a);
        Assert.That(accounts.FindById("acct-a"), Is.SameAs(account), "b is still online");
        accounts.Detach(b);
        Assert.That(accounts.FindById("acct-a"), Is.Null);
        Assert.That(accounts.FindByNick("al"), Is.Null);
    }
}

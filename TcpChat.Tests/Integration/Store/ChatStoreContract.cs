using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using TcpChat.Server.Store;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Integration.Store;

/// <summary>
/// What every <see cref="IChatStore"/> must do, whatever keeps the data (a SQLite file, Redis): a subclass supplies
/// fresh backing per test and stores on it. Time is a fake clock, so retention is tested without waiting.
/// </summary>
[CancelAfter(TestTimeouts.Test)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public abstract class ChatStoreContract
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly List<IChatStore> _stores = [];

    internal FakeTimeProvider Clock { get; } = new(Start);

    /// <summary>A new store on this test's backing (the same data every call), not yet open.</summary>
    internal abstract IChatStore NewStore(StoreLimits limits, TimeProvider time);

    /// <summary>Removes this test's backing.</summary>
    protected abstract void DeleteBacking();

    [TearDown]
    public async Task CloseStoresAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        DeleteBacking();
    }

    internal async Task<IChatStore> OpenAsync(CancellationToken cancellationToken, StoreLimits? limits = null)
    {
        var store = NewStore(limits ?? StoreLimits.Default, Clock);
        _stores.Add(store);
        await store.OpenAsync(cancellationToken);
        Assert.That(store.IsOpen, Is.True);
        return store;
    }

    private HistoryLine Line(string nick, string text) => new(Clock.GetUtcNow(), nick, text);

    [Test]
    public async Task AFirstClaimGetsTheDefaultNickAndLaterClaimsTheSame(CancellationToken ct)
    {
        var store = await OpenAsync(ct);
        Assert.That(await store.GetNickAsync("acct-a", ct), Is.Null);
        Assert.That(await store.ClaimNickAsync("acct-a", "alice", ct), Is.EqualTo("alice"));
        Assert.That(await store.ClaimNickAsync("acct-a", "somethingelse", ct), Is.EqualTo("alice"), "the owned nick, not a new default");
        Assert.That(await store.GetNickAsync("acct-a", ct), Is.EqualTo("alice"));
    }

    [Test]
    public async Task ANickOwnedByAnotherAccountGetsANumberAddedCaseInsensitively(CancellationToken ct)
    {
        var store = await OpenAsync(ct);
        Assert.That(await store.ClaimNickAsync("acct-a", "Alice", ct), Is.EqualTo("Alice"));
        Assert.That(await store.ClaimNickAsync("acct-b", "alice", ct), Is.EqualTo("alice2"));
        Assert.That(await store.ClaimNickAsync("acct-c", "ALICE", ct), Is.EqualTo("ALICE3"));
        string longNick = new('x', StoreLimits.MaxNickLength);
        Assert.That(await store.ClaimNickAsync("acct-d", longNick, ct), Is.EqualTo(longNick));
        Assert.That(await store.ClaimNickAsync("acct-e", longNick, ct), Is.EqualTo(longNick[..^1] + "2"), "cut to fit");
    }

    [Test]
    public async Task AnAccountIsFoundByItsNickInAnyCaseOnlineOrNot(CancellationToken ct)
    {
        var store = await OpenAsync(ct);
        await store.ClaimNickAsync("acct-a", "alice", ct);
        Assert.That(await store.FindAccountByNickAsync("ALICE", ct), Is.EqualTo("acct-a"));
        Assert.That(await store.FindAccountByNickAsync("nobody", ct), Is.Null);
    }

    [Test]
    public async Task ChangingTheNickMovesTheAccountAndFreesTheOldNick(CancellationToken ct)
    {
        var store = await OpenAsync(ct);
        await store.ClaimNickAsync("acct-a", "alice", ct);
        Assert.That(await store.ChangeNickAsync("acct-a", "alicia", ct), Is.EqualTo(new NickChange(NickChangeOutcome.Changed, "alice")));
        Assert.That(await store.GetNickAsync("acct-a", ct), Is.EqualTo("alicia"));
        Assert.That(await store.FindAccountByNickAsync("alice", ct), Is.Null);
        Assert.That(await store.ClaimNickAsync("acct-b", "alice", ct), Is.EqualTo("alice"), "the old nick is free");
        Assert.That(await store.ChangeNickAsync("acct-a", "ALICIA", ct), Is.EqualTo(new NickChange(NickChangeOutcome.Changed, "alicia")), "a case change");
        Assert.That(await store.GetNickAsync("acct-a", ct), Is.EqualTo("ALICIA"));
        Assert.That(await store.ChangeNickAsync("acct-new", "newbie", ct), Is.EqualTo(new NickChange(NickChangeOutcome.Changed, null)), "an account without a nick yet");
    }

    [Test]
    public async Task ANickOwnedByAnotherAccountIsTakenEvenWhenItsOwnerIsOffline(CancellationToken ct)
    {
        var store = await OpenAsync(ct);
        await store.ClaimNickAsync("acct-a", "alice", ct);
        await store.ClaimNickAsync("acct-b", "bob", ct);
        Assert.That(await store.ChangeNickAsync("acct-b", "ALICE", ct), Is.EqualTo(new NickChange(NickChangeOutcome.Taken, "bob")));
        Assert.That(await store.GetNickAsync("acct-b", ct), Is.EqualTo("bob"));
        Assert.That(await store.FindAccountByNickAsync("alice", ct), Is.EqualTo("acct-a"));
    }

    [Test]
    public async Task ConcurrentClaimsOfOneNickHaveExactlyOneWinner(CancellationToken ct)
    {
        var store = await OpenAsync(ct);
        var nicks = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => store.ClaimNickAsync($"acct-{i}", "bob", ct), ct)));
        Assert.That(nicks.Count(n => n == "bob"), Is.EqualTo(1));
        Assert.That(nicks.Distinct(StringComparer.OrdinalIgnoreCase).Count(), Is.EqualTo(16), string.Join(",", nicks));
        Assert.That(nicks, Is.EquivalentTo(new[] { "bob" }.Concat(Enumerable.Range(2, 15).Select(n => $"bob{n}"))));
    }

    [Test]
    public async Task ConcurrentMovesToOneNickHaveExactlyOneWinner(CancellationToken ct)
    {
        var store = await OpenAsync(ct);
        for (int i = 0; i < 16; i++)
        {
            await store.ClaimNickAsync($"acct-{i}", $"user{i}", ct);
        }

        var changes = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => store.ChangeNickAsync($"acct-{i}", "zed", ct), ct)));
        Assert.That(changes.Count(c => c.Outcome == NickChangeOutcome.Changed), Is.EqualTo(1));
        int winner = Array.FindIndex(changes, c => c.Outcome == NickChangeOutcome.Changed);
        Assert.That(await store.FindAccountByNickAsync("zed", ct), Is.EqualTo($"acct-{winner}"));
    }

    [Test]
    public async Task TheFirstCreatorOwnsTheRoomAndLaterJoinsFindIt(CancellationToken ct)
    {
        var store = await OpenAsync(ct);
        Assert.That(await store.GetRoomAsync("#den", ct), Is.Null);
        var created = await store.EnsureRoomAsync("#den", "acct-a", ct);
        Assert.That(created.Outcome, Is.EqualTo(RoomCreationOutcome.Created));
        Assert.That(created.Room, Is.EqualTo(new StoredRoom("#den", "acct-a", Start, null, [])).Using<StoredRoom>(SameRoom));
        var joined = await store.EnsureRoomAsync("#den", "acct-b", ct);
        Assert.That(joined.Outcome, Is.EqualTo(RoomCreationOutcome.Existed));
        Assert.That(joined.Room!.OwnerAccountId, Is.EqualTo("acct-a"));
        Assert.That((await store.GetRoomAsync("#den", ct))!.OwnerAccountId, Is.EqualTo("acct-a"));
        var lobby = await store.EnsureRoomAsync("#lobby", null, ct);
        Assert.That(lobby.Outcome, Is.EqualTo(RoomCreationOutcome.Created));
        Assert.That(lobby.Room!.OwnerAccountId, Is.Null);
    }

    [Test]
    public async Task ConcurrentCreatesOfOneRoomHaveExactlyOneOwner(CancellationToken ct)
    {
        var store = await OpenAsync(ct);
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => store.EnsureRoomAsync("#race", $"acct-{i}", ct), ct)));
        Assert.That(results.Count(r => r.Outcome == RoomCreationOutcome.Created), Is.EqualTo(1));
        Assert.That(results.Count(r => r.Outcome == RoomCreationOutcome.Existed), Is.EqualTo(15));
        string owner = results.Single(r => r.Outcome == RoomCreationOutcome.Created).Room!.OwnerAccountId!;
        Assert.That(results.Select(r => r.Room!.OwnerAccountId), Is.All.EqualTo(owner));
        Assert.That((await store.GetRoomAsync("#race", ct))!.OwnerAccountId, Is.EqualTo(owner));
    }

    [Test]
    public async Task AnAccountCannotOwnMoreRoomsThanTheLimit(CancellationToken ct)
    {
        var store = await OpenAsync(ct, StoreLimits.Default with { MaxOwnedRoomsPerAccount = 2 });
        Assert.That((await store.EnsureRoomAsync("#r1", "acct-a", ct)).Outcome, Is.EqualTo(RoomCreationOutcome.Created));
        Assert.That((await store.EnsureRoomAsync("#r2", "acct-a", ct)).Outcome, Is.EqualTo(RoomCreationOutcome.Created));
        Assert.That(await store.EnsureRoomAsync("#r3", "acct-a", ct), Is.EqualTo(new RoomCreation(RoomCreationOutcome.OwnerLimitReached, null)));
        Assert.That(await store.GetRoomAsync("#r3", ct), Is.Null, "nothing created");
        Assert.That(await store.CountOwnedRoomsAsync("acct-a", ct), Is.EqualTo(2));
        Assert.That((await store.EnsureRoomAsync("#r1", "acct-a", ct)).Outcome, Is.EqualTo(RoomCreationOutcome.Existed), "joining an existing room is no creation");
        Assert.That((await store.EnsureRoomAsync("#r3", "acct-b", ct)).Outcome, Is.EqualTo(RoomCreationOutcome.Created), "another account may");
        Assert.That((await store.EnsureRoomAsync("#r4", null, ct)).Outcome, Is.EqualTo(RoomCreationOutcome.Created), "unowned rooms are not counted");
    }

    [Test]
    public async Task OperatorsAreAddedAndRemovedOnce(CancellationToken ct)
    {
        var store = await OpenAsync(ct);
        await store.EnsureRoomAsync("#den", "acct-a", ct);
        Assert.That(await store.AddOperatorAsync("#den", "acct-b", ct), Is.True);
        Assert.That(await store.AddOperatorAsync("#den", "acct-b", ct), Is.False, "already an operator");
        Assert.That(await store.AddOperatorAsync("#den", "acct-c", ct), Is.True);
        Assert.That((await store.GetRoomAsync("#den", ct))!.OperatorAccountIds, Is.EqualTo(new[] { "acct-b", "acct-c" }));
        Assert.That(await store.RemoveOperatorAsync("#den", "acct-b", ct), Is.True);
        Assert.That(await store.RemoveOperatorAsync("#den", "acct-b", ct), Is.False);
        Assert.That((await store.GetRoomAsync("#den", ct))!.OperatorAccountIds, Is.EqualTo(new[] { "acct-c" }));
        Assert.That(await store.AddOperatorAsync("#nowhere", "acct-b", ct), Is.False, "no such room");
    }

    [Test]
    public async Task ATopicKeepsWhoSetItAndWhen(CancellationToken ct)
    {
        var store = await OpenAsync(ct);
        await store.EnsureRoomAsync("#den", "acct-a", ct);
        Clock.Advance(TimeSpan.FromMinutes(5));
        var set = await store.SetTopicAsync("#den", "welcome to the den", "acct-b", ct);
        Assert.That(set, Is.EqualTo(new RoomTopic("welcome to the den", "acct-b", Start.AddMinutes(5))));
        Assert.That((await store.GetRoomAsync("#den", ct))!.Topic, Is.EqualTo(set));
        Assert.That(await store.SetTopicAsync("#den", string.Empty, "acct-a", ct), Is.Not.Null);
        Assert.That((await store.GetRoomAsync("#den", ct))!.Topic, Is.Null, "an empty topic clears it");
        Assert.That(await store.SetTopicAsync("#nowhere", "x", "acct-a", ct), Is.Null);
    }

    [Test]
    public async Task BansKeepWhoWhenAndWhyAndFollowTheAccountAcrossANickChange(CancellationToken ct)
    {
        var store = await OpenAsync(ct);
        await store.ClaimNickAsync("acct-a", "alice", ct);
        await store.ClaimNickAsync("acct-m", "mod", ct);
        await store.EnsureRoomAsync("#den", "acct-m", ct);
        Assert.That(await store.AddBanAsync("#den", "acct-a", "acct-m", "spam", ct), Is.True);
        Assert.That(await store.IsBannedAsync("#den", "acct-a", ct), Is.True);
        Assert.That(await store.IsBannedAsync("#den", "acct-x", ct), Is.False);

        await store.ChangeNickAsync("acct-a", "alicia", ct);
        string? account = await store.FindAccountByNickAsync("alicia", ct);
        Assert.That(await store.IsBannedAsync("#den", account!, ct), Is.True, "the ban is on the account, not the nick");
        Assert.That(await store.GetBansAsync("#den", ct), Is.EqualTo(new[] { new RoomBan("acct-a", "alicia", "acct-m", "mod", Start, "spam") }));

        Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.That(await store.AddBanAsync("#den", "acct-a", "acct-m", "still spam", ct), Is.True);
        await store.AddBanAsync("#den", "acct-offline", "acct-m", string.Empty, ct);
        Assert.That(await store.GetBansAsync("#den", ct), Is.EqualTo(new[]
        {
            new RoomBan("acct-a", "alicia", "acct-m", "mod", Start.AddSeconds(3), "still spam"),
            new RoomBan("acct-offline", null, "acct-m", "mod", Start.AddSeconds(3), string.Empty),
        }));

        Assert.That(await store.RemoveBanAsync("#den", "acct-a", ct), Is.True);
        Assert.That(await store.RemoveBanAsync("#den", "acct-a", ct), Is.False);
        Assert.That(await store.IsBannedAsync("#den", "acct-a", ct), Is.False);
        Assert.That(await store.AddBanAsync("#nowhere", "acct-a", "acct-m", "x", ct), Is.False, "no such room");
        Assert.That(await store.GetBansAsync("#nowhere", ct), Is.Empty);
    }

    [Test]
    public async Task HistoryReadsTheLastLinesOldestFirstIncludingLinesNotYetWritten(CancellationToken ct)
    {
        var store = await OpenAsync(ct);
        await store.EnsureRoomAsync("#den", null, ct);
        for (int i = 1; i <= 5; i++)
        {
            store.AppendHistory("#den", Line("alice", $"line {i}"));
        }

        Assert.That((await store.ReadHistoryAsync("#den", 3, ct)).Select(l => l.Text), Is.EqualTo(new[] { "line 3", "line 4", "line 5" }), "before any write");
        await store.FlushAsync(ct);
        store.AppendHistory("#den", Line("bob", "line 6"));
        var all = await store.ReadHistoryAsync("#den", 100, ct);
        Assert.That(all.Select(l => l.Text), Is.EqualTo(Enumerable.Range(1, 6).Select(i => $"line {i}")), "written and pending merged");
        Assert.That(all[^1], Is.EqualTo(new HistoryLine(Start, "bob", "line 6")));
        Assert.That(await store.ReadHistoryAsync("#den", 0, ct), Is.Empty);
        Assert.That(await store.ReadHistoryAsync("#other", 10, ct), Is.Empty);
    }

    [Test]
    public async Task HistoryIsBoundedInLines(CancellationToken ct)
    {
        var store = await OpenAsync(ct, StoreLimits.Default with { HistoryLines = 10 });
        await store.EnsureRoomAsync("#den", null, ct);
        for (int i = 1; i <= 25; i++)
        {
            store.AppendHistory("#den", Line("alice", $"line {i}"));
            if (i % 7 == 0)
            {
                await store.FlushAsync(ct);
            }
        }

        var expected = Enumerable.Range(16, 10).Select(i => $"line {i}");
        Assert.That((await store.ReadHistoryAsync("#den", 100, ct)).Select(l => l.Text), Is.EqualTo(expected));
        await store.FlushAsync(ct);
        Assert.That((await store.ReadHistoryAsync("#den", 100, ct)).Select(l => l.Text), Is.EqualTo(expected));
    }

    [Test]
    public async Task HistoryIsBoundedInBytes(CancellationToken ct)
    {
        var store = await OpenAsync(ct, StoreLimits.Default with { HistoryLines = 100, HistoryBytesPerRoom = 1024 });
        await store.EnsureRoomAsync("#den", null, ct);
        for (int i = 10; i < 30; i++)
        {
            store.AppendHistory("#den", Line("n", $"{i}" + new string('x', 97))); // 100 bytes a line
        }

        var expected = Enumerable.Range(20, 10).Select(i => $"{i}"); // ten lines fit in 1024 bytes, eleven do not
        Assert.That((await store.ReadHistoryAsync("#den", 100, ct)).Select(l => l.Text[..2]), Is.EqualTo(expected), "pending");
        await store.FlushAsync(ct);
        Assert.That((await store.ReadHistoryAsync("#den", 100, ct)).Select(l => l.Text[..2]), Is.EqualTo(expected), "written");
        store.AppendHistory("#den", Line("n", "30" + new string('y', 500)));
        await store.FlushAsync(ct);
        Assert.That((await store.ReadHistoryAsync("#den", 100, ct)).Select(l => l.Text[..2]), Is.EqualTo(new[] { "25", "26", "27", "28", "29", "30" }));
    }

    [Test]
    public async Task AFloodKeepsOnlyTheLastLinesOfEachRoom(CancellationToken ct)
    {
        var limits = StoreLimits.Default with { HistoryLines = 50 };
        var store = await OpenAsync(ct, limits);
        await store.EnsureRoomAsync("#a", null, ct);
        await store.EnsureRoomAsync("#b", null, ct);
        for (int i = 0; i < 20_000; i++)
        {
            store.AppendHistory(i % 2 == 0 ? "#a" : "#b", Line("flood", $"{i}"));
        }

        await store.CloseAsync(ct);
        var reopened = await OpenAsync(ct, limits);
        Assert.That((await reopened.ReadHistoryAsync("#a", 200, ct)).Select(l => l.Text), Is.EqualTo(Enumerable.Range(9_950, 50).Select(i => $"{i * 2}")));
        Assert.That((await reopened.ReadHistoryAsync("#b", 200, ct)).Select(l => l.Text), Is.EqualTo(Enumerable.Range(9_950, 50).Select(i => $"{(i * 2) + 1}")));
    }

    [Test]
    public async Task ACleanStopKeepsEverythingForTheNextStart(CancellationToken ct)
    {
        var store = await OpenAsync(ct);
        await store.ClaimNickAsync("acct-a", "alice", ct);
        await store.ClaimNickAsync("acct-m", "mod", ct);
        await store.EnsureRoomAsync("#den", "acct-m", ct);
        await store.AddOperatorAsync("#den", "acct-o", ct);
        await store.SetTopicAsync("#den", "kept", "acct-m", ct);
        await store.AddBanAsync("#den", "acct-a", "acct-m", "rude", ct);
        store.AppendHistory("#den", Line("mod", "first"));
        store.AppendHistory("#den", Line("mod", "last"));
        await store.CloseAsync(ct);
        Assert.That(store.IsOpen, Is.False);

        var reopened = await OpenAsync(ct);
        Assert.That(await reopened.GetNickAsync("acct-a", ct), Is.EqualTo("alice"));
        Assert.That(await reopened.FindAccountByNickAsync("mod", ct), Is.EqualTo("acct-m"));
        Assert.That(await reopened.GetRoomAsync("#den", ct), Is.EqualTo(new StoredRoom("#den", "acct-m", Start, new RoomTopic("kept", "acct-m", Start), ["acct-o"])).Using<StoredRoom>(SameRoom));
        Assert.That(await reopened.IsBannedAsync("#den", "acct-a", ct), Is.True);
        Assert.That((await reopened.ReadHistoryAsync("#den", 10, ct)).Select(l => l.Text), Is.EqualTo(new[] { "first", "last" }));
        reopened.AppendHistory("#den", Line("mod", "after restart"));
        Assert.That((await reopened.ReadHistoryAsync("#den", 10, ct)).Select(l => l.Text), Is.EqualTo(new[] { "first", "last", "after restart" }));
    }

    [Test]
    public async Task RoomsIdleForTheRetentionAreDroppedWithTheirHistoryAndBans(CancellationToken ct)
    {
        var store = await OpenAsync(ct);
        foreach (string room in new[] { "#idle", "#joined", "#topic", "#op", "#banned" })
        {
            await store.EnsureRoomAsync(room, "acct-a", ct);
        }

        store.AppendHistory("#idle", Line("alice", "forgotten"));
        await store.AddBanAsync("#idle", "acct-b", "acct-a", "gone with the room", ct);
        Clock.Advance(TimeSpan.FromDays(20));
        await store.EnsureRoomAsync("#joined", "acct-c", ct);
        await store.SetTopicAsync("#topic", "fresh", "acct-a", ct);
        await store.AddOperatorAsync("#op", "acct-b", ct);
        await store.AddBanAsync("#banned", "acct-b", "acct-a", "x", ct);
        Clock.Advance(TimeSpan.FromDays(10));
        Assert.That(await store.DropExpiredRoomsAsync(ct), Is.Zero, "30 days exactly is not yet longer than the retention");
        Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.That(await store.DropExpiredRoomsAsync(ct), Is.EqualTo(1));
        Assert.That(await store.GetRoomAsync("#idle", ct), Is.Null);
        Assert.That(await store.ReadHistoryAsync("#idle", 10, ct), Is.Empty);
        Assert.That(await store.CountOwnedRoomsAsync("acct-a", ct), Is.EqualTo(4));
        await store.EnsureRoomAsync("#idle", "acct-z", ct);
        Assert.That(await store.IsBannedAsync("#idle", "acct-b", ct), Is.False, "a new room of the same name starts clean");
        Assert.That(await store.TouchRoomAsync("#joined", ct), Is.True);
        Assert.That(await store.TouchRoomAsync("#nowhere", ct), Is.False);

        Clock.Advance(TimeSpan.FromDays(25));
        Assert.That(await store.DropExpiredRoomsAsync(ct), Is.EqualTo(3), "#topic, #op and #banned; #joined and #idle were touched since");
        Assert.That(await store.GetRoomAsync("#joined", ct), Is.Not.Null);
        Assert.That(await store.GetRoomAsync("#banned", ct), Is.Null);
    }

    [Test]
    public async Task AZeroRetentionKeepsRoomsForever(CancellationToken ct)
    {
        var store = await OpenAsync(ct, StoreLimits.Default with { RoomRetention = TimeSpan.Zero });
        await store.EnsureRoomAsync("#den", "acct-a", ct);
        Clock.Advance(TimeSpan.FromDays(3650));
        Assert.That(await store.DropExpiredRoomsAsync(ct), Is.Zero);
        Assert.That(await store.GetRoomAsync("#den", ct), Is.Not.Null);
    }

    private static bool SameRoom(StoredRoom a, StoredRoom b) =>
        a.Name == b.Name && a.OwnerAccountId == b.OwnerAccountId && a.CreatedAt == b.CreatedAt && Equals(a.Topic, b.Topic)
        && a.OperatorAccountIds.SequenceEqual(b.OperatorAccountIds);
}

using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using TcpChat.Server.Store;

namespace TcpChat.Tests.Integration.Store;

/// <summary>The contract on a real SQLite file in a temp directory, and what only a file can do wrong.</summary>
public sealed class SqliteChatStoreTests : ChatStoreContract
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tcpchat-store").FullName;

    private string DbPath => Path.Combine(_directory, "data", "tcpchat.db");

    internal override IChatStore NewStore(StoreLimits limits, TimeProvider time) => NewSqlite(limits, time);

    protected override void DeleteBacking() => Directory.Delete(_directory, recursive: true);

    private SqliteChatStore NewSqlite(StoreLimits? limits = null, TimeProvider? time = null, TimeSpan? flushInterval = null) => new(
        new StoreOptions { Path = DbPath, FlushInterval = flushInterval ?? TimeSpan.FromMilliseconds(200) },
        limits ?? StoreLimits.Default, time ?? Clock, NullLogger<SqliteChatStore>.Instance);

    /// <summary>A second connection, as the sqlite3 tool would open the file.</summary>
    private SqliteConnection Peek()
    {
        var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        connection.Open();
        return connection;
    }

    private static T Query<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }

    private async Task<string> OpenFailsAsync(CancellationToken ct)
    {
        await using var store = NewSqlite();
        var error = (await Assert.ThrowsAsync<StoreUnavailableException>(() => store.OpenAsync(ct)))!;
        Assert.That(store.IsOpen, Is.False);
        Assert.That(error.Message, Does.StartWith($"store file {DbPath} ").And.Not.Contain('\n'));
        return error.Message;
    }

    [Test]
    public async Task TheFileIsCreatedOnFirstOpenInWalModeAtTheCurrentSchema(CancellationToken ct)
    {
        Assert.That(File.Exists(DbPath), Is.False);
        var store = await OpenAsync(ct);
        await store.ClaimNickAsync("acct-a", "alice", ct);
        await store.CloseAsync(ct);
        using var peek = Peek();
        Assert.That(Query<string>(peek, "PRAGMA journal_mode"), Is.EqualTo("wal"));
        Assert.That(Query<long>(peek, "PRAGMA user_version"), Is.EqualTo(SqliteSchema.Version));
        Assert.That(Query<string>(peek, "SELECT nick FROM nicks WHERE account = 'acct-a'"), Is.EqualTo("alice"));
    }

    [Test]
    public async Task HistoryIsWrittenBehindWithinOneFlushInterval(CancellationToken ct)
    {
        var store = await OpenAsync(ct);
        await store.EnsureRoomAsync("#den", null, ct);
        store.AppendHistory("#den", new HistoryLine(Clock.GetUtcNow(), "alice", "soon on disk"));
        using var peek = Peek();
        Assert.That(Query<long>(peek, "SELECT COUNT(*) FROM history"), Is.Zero, "not written at once");

        Clock.Advance(TimeSpan.FromMilliseconds(200)); // the write-behind interval
        while (Query<long>(peek, "SELECT COUNT(*) FROM history") == 0)
        {
            await Task.Delay(10, ct); // the flush runs on its own loop; the test's deadline bounds this
        }

        Assert.That(Query<string>(peek, "SELECT text FROM history"), Is.EqualTo("soon on disk"));
    }

    [Test]
    public async Task AnOlderSchemaIsMigratedOnOpenKeepingItsData(CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DbPath)!);
        using (var old = Peek())
        {
            using var command = old.CreateCommand();
            command.CommandText = SqliteSchema.Steps[0] + """
                INSERT INTO nicks (account, nick) VALUES ('acct-a', 'alice');
                INSERT INTO rooms (name, owner, created_at, active_at) VALUES ('#den', 'acct-a', 0, 0);
                PRAGMA user_version = 1;
                """;
            command.ExecuteNonQuery();
        }

        var store = await OpenAsync(ct, StoreLimits.Default with { RoomRetention = TimeSpan.Zero });
        Assert.That(await store.GetNickAsync("acct-a", ct), Is.EqualTo("alice"));
        Assert.That((await store.GetRoomAsync("#den", ct))!.OwnerAccountId, Is.EqualTo("acct-a"));
        store.AppendHistory("#den", new HistoryLine(Clock.GetUtcNow(), "alice", "history is new in schema 2"));
        await store.CloseAsync(ct);

        using var peek = Peek();
        Assert.That(Query<long>(peek, "PRAGMA user_version"), Is.EqualTo(SqliteSchema.Version));
        Assert.That(Query<long>(peek, "SELECT COUNT(*) FROM history"), Is.EqualTo(1));
    }

    [Test]
    public async Task AFileFromANewerVersionIsRefused(CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DbPath)!);
        using (var newer = Peek())
        {
            using var command = newer.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99";
            command.ExecuteNonQuery();
        }

        Assert.That(await OpenFailsAsync(ct), Does.Contain("schema version 99, newer than this build's"));
    }

    [Test]
    public async Task AGarbageFileIsRefusedAndLeftAsItWas(CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DbPath)!);
        byte[] garbage = new byte[8192];
        new Random(8).NextBytes(garbage);
        await File.WriteAllBytesAsync(DbPath, garbage, ct);
        Assert.That(await OpenFailsAsync(ct), Is.EqualTo($"store file {DbPath} is not a SQLite database or is corrupt; restore it from a backup or move it away"));
        Assert.That(await File.ReadAllBytesAsync(DbPath, ct), Is.EqualTo(garbage), "never replaced by an empty store");

        File.Delete(DbPath);
        await OpenAsync(ct); // the failed open let go of the file and its lock
    }

    [Test]
    public async Task ADirectoryWhereTheFileShouldBeIsRefused(CancellationToken ct)
    {
        // Tests run as root here, so a file without read permission would still open; these are the unreadable cases left.
        Directory.CreateDirectory(DbPath);
        Assert.That(await OpenFailsAsync(ct), Does.Contain("is a directory, not a database file"));
    }

    [Test]
    public async Task AFileWhereTheDirectoryShouldBeIsRefused(CancellationToken ct)
    {
        await File.WriteAllTextAsync(Path.GetDirectoryName(DbPath)!, "a file, not a directory", ct);
        Assert.That(await OpenFailsAsync(ct), Does.Contain("cannot be created"));
    }

    [Test]
    public async Task ASecondStoreOnTheSameFileIsRefusedUntilTheFirstCloses(CancellationToken ct)
    {
        var first = await OpenAsync(ct);
        Assert.That(await OpenFailsAsync(ct), Does.Contain($"is in use by another TcpChat process (it holds {DbPath}.lock)"));
        await first.CloseAsync(ct);
        await OpenAsync(ct);
    }

    [Test]
    public async Task ABackupTakenWhileOpenHoldsTheData(CancellationToken ct)
    {
        var store = await OpenAsync(ct);
        await store.ClaimNickAsync("acct-a", "alice", ct);
        string copy = Path.Combine(_directory, "copy.db");
        using (var source = Peek())
        using (var target = new SqliteConnection($"Data Source={copy};Pooling=False"))
        {
            target.Open();
            source.BackupDatabase(target); // the online backup API, as sqlite3's .backup uses
        }

        using var check = new SqliteConnection($"Data Source={copy};Pooling=False");
        check.Open();
        Assert.That(Query<string>(check, "SELECT nick FROM nicks WHERE account = 'acct-a'"), Is.EqualTo("alice"));
    }
}

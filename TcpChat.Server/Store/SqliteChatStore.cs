using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace TcpChat.Server.Store;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, schema migrated on open, locked against a second process. One
/// connection serves every call, one statement batch at a time (each is a transaction, so each call is atomic);
/// history is written behind by a background loop (<see cref="PendingHistory"/>).
/// </summary>
internal sealed partial class SqliteChatStore : IChatStore
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeSpan _flushInterval;
    private readonly StoreLimits _limits;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PendingHistory _pending;
    private SqliteConnection? _connection;
    private SqliteTransaction? _transaction;
    private FileStream? _lock;
    private CancellationTokenSource? _writerStop;
    private Task _writer = Task.CompletedTask;
    private volatile bool _open;

    public SqliteChatStore(StoreOptions options, StoreLimits limits, TimeProvider time, ILogger<SqliteChatStore> logger)
    {
        FilePath = System.IO.Path.GetFullPath(options.Path);
        _flushInterval = options.FlushInterval;
        _limits = limits;
        _time = time;
        _logger = logger;
        _pending = new PendingHistory(limits);
    }

    /// <summary>The database file, as an absolute path.</summary>
    public string FilePath { get; }

    public bool IsOpen => _open;

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_connection is not null)
            {
                throw new InvalidOperationException($"The store {FilePath} is already open.");
            }

            try
            {
                OpenFile();
            }
            catch
            {
                CloseFile();
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }

        _writerStop = new CancellationTokenSource();
        _writer = WriteBehindAsync(_writerStop.Token);
        _open = true;
    }

    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (!_open)
        {
            return;
        }

        _open = false;
        if (_writerStop is not null)
        {
            await _writerStop.CancelAsync();
            await _writer;
            _writerStop.Dispose();
            _writerStop = null;
        }

        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is SqliteException or OperationCanceledException)
        {
            StoreLog.HistoryLost(_logger, FilePath, _pending.Count, e);
        }

        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            CloseFile();
        }
        finally
        {
            _gate.Release();
        }

        StoreLog.Closed(_logger, FilePath);
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync(CancellationToken.None);
        _gate.Dispose();
    }

    private void OpenFile()
    {
        if (Directory.Exists(FilePath))
        {
            throw Unavailable("is a directory, not a database file");
        }

        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(FilePath)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unavailable($"cannot be created: {e.Message}", e);
        }

        _lock = TakeLock();
        try
        {
            _connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = FilePath,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false, // closing must release the file
            }.ToString());
            _connection.Open();
            int version = (int)Scalar<long>("PRAGMA user_version");
            if (SQLitePCL.raw.sqlite3_db_readonly(_connection.Handle, "main") == 1)
            {
                throw Unavailable("is read-only; the server must be able to write it");
            }

            if (version > SqliteSchema.Version)
            {
                throw Unavailable($"has schema version {version}, newer than this build's {SqliteSchema.Version}; run a newer TcpChat or restore a backup");
            }

            string check = Scalar<string>("PRAGMA quick_check") ?? "no answer";
            if (check != "ok")
            {
                throw Unavailable($"is corrupt (integrity check: {check}); restore it from a backup or move it away");
            }

            if (!string.Equals(Scalar<string>("PRAGMA journal_mode = WAL"), "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw Unavailable("cannot be switched to write-ahead logging");
            }

            // WAL with synchronous=NORMAL: a committed transaction survives a process crash; only a power loss may
            // undo the last ones, never corrupt the file.
            Execute("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
            Migrate(version);
            _pending.StartAfter(Scalar<long>("SELECT COALESCE(MAX(id), 0) FROM history"));
            StoreLog.Opened(_logger, FilePath, SqliteSchema.Version);
        }
        catch (SqliteException e)
        {
            throw Unavailable(Describe(e), e);
        }
    }

    /// <summary>A second server on the same file would write behind the first's back: an exclusive lock on a sidecar file refuses it.</summary>
    private FileStream TakeLock()
    {
        string lockPath = FilePath + ".lock";
        try
        {
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (File.Exists(lockPath))
        {
            throw Unavailable($"is in use by another TcpChat process (it holds {lockPath})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unavailable($"cannot be locked ({lockPath}): {e.Message}", e);
        }
    }

    private void Migrate(int version)
    {
        if (version == SqliteSchema.Version)
        {
            return;
        }

        using (var transaction = _connection!.BeginTransaction())
        {
            _transaction = transaction;
            for (int step = version; step < SqliteSchema.Version; step++)
            {
                Execute(SqliteSchema.Steps[step]);
            }

            Execute($"PRAGMA user_version = {SqliteSchema.Version}");
            transaction.Commit();
            _transaction = null;
        }

        StoreLog.Migrated(_logger, FilePath, version, SqliteSchema.Version);
    }

    private void CloseFile()
    {
        _transaction = null;
        _connection?.Dispose();
        _connection = null;
        _lock?.Dispose();
        _lock = null;
    }

    private StoreUnavailableException Unavailable(string reason, Exception? inner = null) => new($"store file {FilePath} {reason}", inner);

    private static string Describe(SqliteException e) => e.SqliteErrorCode switch
    {
        SQLitePCL.raw.SQLITE_NOTADB or SQLitePCL.raw.SQLITE_CORRUPT =>
            "is not a SQLite database or is corrupt; restore it from a backup or move it away",
        SQLitePCL.raw.SQLITE_CANTOPEN or SQLitePCL.raw.SQLITE_PERM or SQLitePCL.raw.SQLITE_AUTH =>
            "cannot be opened; it must be a file the server may read and write",
        SQLitePCL.raw.SQLITE_READONLY => "is read-only; the server must be able to write it",
        SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED => "is locked by another program",
        SQLitePCL.raw.SQLITE_FULL => "cannot be written: the disk is full",
        _ => $"cannot be opened: {e.Message.ReplaceLineEndings(" ")}",
    };

    /// <summary>Runs <paramref name="work"/> as one transaction, alone on the connection.</summary>
    private async Task<T> RunAsync<T>(bool write, Func<T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return InTransaction(write, work);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The caller holds the gate. Writes take the write lock at the start (IMMEDIATE), so a transaction never fails half-way on it.</summary>
    private T InTransaction<T>(bool write, Func<T> work)
    {
        var connection = _connection ?? throw new InvalidOperationException($"The store {FilePath} is not open.");
        using var transaction = connection.BeginTransaction(deferred: !write);
        _transaction = transaction;
        try
        {
            T result = work();
            transaction.Commit();
            return result;
        }
        finally
        {
            _transaction = null;
        }
    }

    private SqliteCommand Command(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = _connection!.CreateCommand();
        command.CommandText = sql;
        command.Transaction = _transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private int Execute(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    private T? Scalar<T>(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteScalar() is T value ? value : default;
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset At(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);
}

using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace TcpChat.DevAuth;

/// <summary>
/// Users and the signing key, kept in memory and saved to one JSON file. Saves are debounced: a change marks the
/// store dirty and one background loop rewrites the file at most every <see cref="FlushInterval"/> (a benchmark
/// signs up thousands of users; rewriting per request would be quadratic). The file is replaced atomically.
/// </summary>
internal sealed class DevAuthUserStore : IDisposable
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);

    // Not indented: with 10 000 users every saved byte is rewritten on each flush.
    private static readonly JsonSerializerOptions FileOptions = new();

    /// <summary>Owner read/write only (0600): the file holds the private signing key and password hashes.</summary>
    internal static FileStreamOptions PrivateFile()
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 64 * 1024,
            Options = System.IO.FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, DevAuthUser> _byId = [];
    private readonly Dictionary<string, DevAuthUser> _byEmail = new(StringComparer.Ordinal);
    private readonly string _path;
    private readonly ILogger _logger;
    private DevAuthSigningKeyData? _signingKey;
    private int _dirty;
    private CancellationTokenSource? _flushStop;
    private Task _flushLoop = Task.CompletedTask;
    private FileStream? _lock;

    public DevAuthUserStore(string path, ILogger logger)
    {
        _path = Path.GetFullPath(path);
        _logger = logger;
    }

    public string FilePath => _path;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byId.Count;
            }
        }
    }

    /// <summary>The persisted signing key, or null before the first start.</summary>
    public DevAuthSigningKeyData? SigningKey
    {
        get => Volatile.Read(ref _signingKey);
        set
        {
            Volatile.Write(ref _signingKey, value);
            MarkDirty();
        }
    }

    /// <summary>
    /// Locks the file for this process, then reads it if it exists. An unreadable or corrupt file stops the start with
    /// one line naming it (it holds users and the signing key: never silently replaced); so does a file another
    /// process holds (the last writer would win).
    /// </summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        Lock();
        if (!File.Exists(_path))
        {
            DevAuthLog.StoreCreated(_logger, _path);
            return;
        }

        DevAuthData? data;
        try
        {
            await using var stream = File.OpenRead(_path);
            data = await JsonSerializer.DeserializeAsync<DevAuthData>(stream, FileOptions, cancellationToken);
        }
        catch (JsonException)
        {
            throw new InvalidOperationException($"DevAuth data file {_path} is corrupt (not the JSON DevAuth writes); fix or delete it.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"DevAuth data file {_path} cannot be read: {e.Message}");
        }

        if (data?.Users is null || data.Users.Any(u => u is null))
        {
            throw new InvalidOperationException($"DevAuth data file {_path} is corrupt (no user list); fix or delete it.");
        }

        lock (_gate)
        {
            foreach (var user in data.Users)
            {
                _byId[user.Id] = user;
                Index(user);
            }
        }

        Volatile.Write(ref _signingKey, data.SigningKey);
        DevAuthLog.StoreLoaded(_logger, Count, _path);
    }

    public void StartFlushing()
    {
        _flushStop = new CancellationTokenSource();
        _flushLoop = FlushLoopAsync(_flushStop.Token);
    }

    /// <summary>Stops the background loop and writes whatever is still pending; false when saving never started.</summary>
    public async Task<bool> StopFlushingAsync()
    {
        if (_flushStop is null)
        {
            return false;
        }

        await _flushStop.CancelAsync();
        await _flushLoop;
        _flushStop.Dispose();
        _flushStop = null;
        await FlushAsync(CancellationToken.None);
        return true;
    }

    public void Dispose()
    {
        _flushStop?.Dispose();
        _lock?.Dispose();
    }

    /// <summary>
    /// Holds <c>&lt;file&gt;.lock</c> open with FileShare.None (an flock on Linux) until disposed. A separate file
    /// because the data file itself is replaced on every save; it stays on disk, only the lock matters.
    /// </summary>
    private void Lock()
    {
        string lockPath = _path + ".lock";
        try
        {
            _lock = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            // The whole story is in this line; the inner "being used by another process" would only repeat it.
            throw new IOException($"DevAuth:DataPath: {_path} is in use by another process (it holds {lockPath}); give each instance its own data folder");
        }
    }

    public DevAuthUser? FindByEmail(string normalizedEmail)
    {
        lock (_gate)
        {
            return _byEmail.GetValueOrDefault(normalizedEmail);
        }
    }

    public DevAuthUser? Find(Guid id)
    {
        lock (_gate)
        {
            return _byId.GetValueOrDefault(id);
        }
    }

    /// <summary>Adds the user unless the email is taken; then returns the existing user instead.</summary>
    public DevAuthUser AddOrGetExisting(DevAuthUser user, out bool added)
    {
        lock (_gate)
        {
            if (user.Email.Length > 0 && _byEmail.TryGetValue(user.Email, out var existing))
            {
                added = false;
                return existing;
            }

            _byId.Add(user.Id, user);
            Index(user);
        }

        added = true;
        MarkDirty();
        return user;
    }

    /// <summary>
    /// Atomically replaces the user with <paramref name="change"/>(current); returning the same instance means
    /// "no change". Returns the stored user, or null if there is none.
    /// </summary>
    public DevAuthUser? Update(Guid id, Func<DevAuthUser, DevAuthUser> change)
    {
        DevAuthUser updated;
        lock (_gate)
        {
            if (!_byId.TryGetValue(id, out var current))
            {
                return null;
            }

            updated = change(current);
            if (ReferenceEquals(updated, current))
            {
                return current;
            }

            if (updated.Email != current.Email)
            {
                _byEmail.Remove(current.Email);
            }

            _byId[id] = updated;
            Index(updated);
        }

        MarkDirty();
        return updated;
    }

    public bool Remove(Guid id)
    {
        lock (_gate)
        {
            if (!_byId.Remove(id, out var user))
            {
                return false;
            }

            _byEmail.Remove(user.Email);
        }

        MarkDirty();
        return true;
    }

    /// <summary>All users, oldest first (the admin list order).</summary>
    public List<DevAuthUser> Snapshot()
    {
        List<DevAuthUser> users;
        lock (_gate)
        {
            users = [.. _byId.Values];
        }

        users.Sort((a, b) => a.CreatedAt.CompareTo(b.CreatedAt));
        return users;
    }

    /// <summary>Whether another user holds the address (GoTrue's <c>IsDuplicatedEmail</c>).</summary>
    public bool IsEmailTaken(string normalizedEmail, Guid except)
    {
        lock (_gate)
        {
            return _byEmail.TryGetValue(normalizedEmail, out var user) && user.Id != except;
        }
    }

    // Anonymous users have no address to find them by.
    private void Index(DevAuthUser user)
    {
        if (user.Email.Length > 0)
        {
            _byEmail[user.Email] = user;
        }
    }

    private void MarkDirty() => Volatile.Write(ref _dirty, 1);

    private async Task FlushLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: StopFlushingAsync writes the final state.
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _dirty, 0) == 0)
        {
            return;
        }

        var data = new DevAuthData { SigningKey = SigningKey, Users = Snapshot() };
        var temp = Path.Combine(Path.GetDirectoryName(_path)!, $".{Path.GetFileName(_path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temp, PrivateFile()))
            {
                await JsonSerializer.SerializeAsync(stream, data, FileOptions, cancellationToken);
                // On disk before the rename: a crash leaves the old file or the new one, never a torn one.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, _path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            // Keep the change pending so the next tick (or StopFlushingAsync) writes it.
            MarkDirty();
            File.Delete(temp);
            if (e is OperationCanceledException)
            {
                throw;
            }

            DevAuthLog.StoreFlushFailed(_logger, _path, e);
        }
    }

    /// <summary>The file layout.</summary>
    private sealed class DevAuthData
    {
        [JsonPropertyName("version")] public int Version { get; init; } = 1;

        [JsonPropertyName("signing_key")] public DevAuthSigningKeyData? SigningKey { get; init; }

        [JsonPropertyName("users")] public List<DevAuthUser> Users { get; init; } = [];
    }
}

/// <summary>The ES256 private key (PKCS#8) and its <c>kid</c>, persisted so tokens survive a restart.</summary>
internal sealed record DevAuthSigningKeyData(
    [property: JsonPropertyName("kid")] string KeyId,
    [property: JsonPropertyName("pkcs8")] byte[] Pkcs8);

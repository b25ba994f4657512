using System.Buffers.Text;
using System.Security.Cryptography;

namespace TcpChat.DevAuth;

/// <summary>
/// Sessions and their refresh tokens, in memory only (as the brief says; a restart logs everyone out of refresh).
/// Rotation follows GoTrue: each refresh revokes the used token and issues a child; a revoked token used again
/// within the reuse interval returns the session's current token, and any later reuse revokes the whole session.
/// One lock guards everything: each operation is a few dictionary lookups.
/// </summary>
internal sealed class DevAuthSessionStore(TimeProvider time)
{
    /// <summary>GoTrue rejects shorter refresh tokens before any lookup (its legacy tokens are 12 characters).</summary>
    public const int MinTokenLength = 12;

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, SessionState> _sessions = [];
    private readonly Dictionary<string, TokenState> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, HashSet<Guid>> _byUser = [];

    /// <summary>A new aal1 session; <paramref name="method"/> is its first <c>amr</c> entry (password, otp, anonymous).</summary>
    public DevAuthSession Create(Guid userId, string method)
    {
        var now = time.GetUtcNow();
        var session = new SessionState(Guid.NewGuid(), userId, now);
        session.Amr.Add(new DevAuthAmr(method, now));
        lock (_gate)
        {
            _sessions.Add(session.Id, session);
            if (!_byUser.TryGetValue(userId, out var ids))
            {
                _byUser[userId] = ids = [];
            }

            ids.Add(session.Id);
            session.Current = AddToken(session);
        }

        return session.ToPublic(session.Current.Token);
    }

    public DevAuthSession? Find(Guid sessionId)
    {
        lock (_gate)
        {
            return _sessions.TryGetValue(sessionId, out var session) ? session.ToPublic(session.Current!.Token) : null;
        }
    }

    /// <summary>
    /// A verified second factor: the session becomes aal2 with the method first in <c>amr</c>, and gets a new refresh
    /// token; the old ones stop working, so only the client that passed the challenge holds an aal2 session.
    /// </summary>
    public DevAuthSession? StepUp(Guid sessionId, string method, Guid factorId)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_sessions.TryGetValue(sessionId, out var session))
            {
                return null;
            }

            session.Amr.RemoveAll(a => a.Method == method);
            session.Amr.Insert(0, new DevAuthAmr(method, now));
            session.FactorId = factorId;
            foreach (var token in session.Tokens)
            {
                _tokens.Remove(token);
            }

            session.Tokens.Clear();
            session.Current = AddToken(session);
            return session.ToPublic(session.Current.Token);
        }
    }

    /// <summary>GoTrue's <c>InvalidateSessionsWithAALLessThan(aal2)</c>, run after a factor verify.</summary>
    public void RemoveAal1Sessions(Guid userId)
    {
        lock (_gate)
        {
            if (_byUser.TryGetValue(userId, out var ids))
            {
                foreach (var id in ids.ToArray())
                {
                    if (_sessions[id].FactorId is null)
                    {
                        RemoveSession(_sessions[id]);
                    }
                }
            }
        }
    }

    /// <summary>An unenrolled factor: the sessions it raised fall back to aal1 (GoTrue's <c>DowngradeSessionsToAAL1</c>).</summary>
    public void Downgrade(Guid userId, Guid factorId)
    {
        lock (_gate)
        {
            if (_byUser.TryGetValue(userId, out var ids))
            {
                foreach (var session in ids.Select(id => _sessions[id]).Where(s => s.FactorId == factorId))
                {
                    session.FactorId = null;
                    session.Amr.RemoveAll(a => a.Method == "totp");
                }
            }
        }
    }

    /// <summary>The owner of a refresh token, so the caller can check the user before rotating.</summary>
    public Guid? FindUserOfToken(string refreshToken)
    {
        lock (_gate)
        {
            return _tokens.TryGetValue(refreshToken, out var token) ? token.Session.UserId : null;
        }
    }

    public DevAuthRefreshResult Refresh(string refreshToken, TimeSpan reuseInterval)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_tokens.TryGetValue(refreshToken, out var token))
            {
                return new DevAuthRefreshResult(DevAuthRefreshStatus.NotFound, null);
            }

            var session = token.Session;
            if (token.RevokedAt is { } revokedAt)
            {
                if (now - revokedAt <= reuseInterval)
                {
                    return new DevAuthRefreshResult(DevAuthRefreshStatus.Reused, session.ToPublic(session.Current!.Token));
                }

                RemoveSession(session);
                return new DevAuthRefreshResult(DevAuthRefreshStatus.AlreadyUsed, session.ToPublic(""));
            }

            token.RevokedAt = now;
            session.Current = AddToken(session);
            return new DevAuthRefreshResult(DevAuthRefreshStatus.Rotated, session.ToPublic(session.Current.Token));
        }
    }

    /// <summary>Logout: <paramref name="keep"/> is the session to spare (scope <c>others</c>), if any.</summary>
    public void RemoveUserSessions(Guid userId, Guid? keep = null)
    {
        lock (_gate)
        {
            if (!_byUser.TryGetValue(userId, out var ids))
            {
                return;
            }

            foreach (var id in ids.ToArray())
            {
                if (id != keep)
                {
                    RemoveSession(_sessions[id]);
                }
            }
        }
    }

    public void Remove(Guid sessionId)
    {
        lock (_gate)
        {
            if (_sessions.TryGetValue(sessionId, out var session))
            {
                RemoveSession(session);
            }
        }
    }

    private TokenState AddToken(SessionState session)
    {
        var token = new TokenState(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)), session);
        _tokens.Add(token.Token, token);
        session.Tokens.Add(token.Token);
        return token;
    }

    private void RemoveSession(SessionState session)
    {
        _sessions.Remove(session.Id);
        foreach (var token in session.Tokens)
        {
            _tokens.Remove(token);
        }

        if (_byUser.TryGetValue(session.UserId, out var ids) && ids.Remove(session.Id) && ids.Count == 0)
        {
            _byUser.Remove(session.UserId);
        }
    }

    private sealed class SessionState(Guid id, Guid userId, DateTimeOffset createdAt)
    {
        public Guid Id => id;

        public Guid UserId => userId;

        public DateTimeOffset CreatedAt => createdAt;

        public TokenState? Current { get; set; }

        public List<string> Tokens { get; } = [];

        /// <summary>Most recent first, as GoTrue sorts the claims.</summary>
        public List<DevAuthAmr> Amr { get; } = [];

        /// <summary>The verified factor that made this session aal2, if any.</summary>
        public Guid? FactorId { get; set; }

        public DevAuthSession ToPublic(string refreshToken) =>
            new(id, userId, createdAt, refreshToken, FactorId is null ? "aal1" : "aal2", [.. Amr]);
    }

    private sealed class TokenState(string token, SessionState session)
    {
        public string Token => token;

        public SessionState Session => session;

        public DateTimeOffset? RevokedAt { get; set; }
    }
}

/// <summary>A session as handlers see it: ids, its start, the refresh token to hand out, and its <c>aal</c> and <c>amr</c> claims.</summary>
internal sealed record DevAuthSession(Guid Id, Guid UserId, DateTimeOffset CreatedAt, string RefreshToken, string Aal, IReadOnlyList<DevAuthAmr> Amr);

/// <summary>One authentication method of a session (an <c>amr</c> claim entry).</summary>
internal readonly record struct DevAuthAmr(string Method, DateTimeOffset At);

internal enum DevAuthRefreshStatus
{
    Rotated,
    Reused,
    NotFound,
    AlreadyUsed,
}

internal readonly record struct DevAuthRefreshResult(DevAuthRefreshStatus Status, DevAuthSession? Session);

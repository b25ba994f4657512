using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TcpChat.Server.Auth;
using TcpChat.Server.Protocol;

namespace TcpChat.Server.Chat;

/// <summary>
/// Keeps logins backed by live Supabase sessions: refreshes a session before its access token expires, asks
/// <c>GET /user</c> every <see cref="ChatOptions.SessionCheckInterval"/> to notice a sign-out elsewhere, a ban or a
/// deletion, and ends a <c>TOKEN</c> login when its token expires. An outage never ends a login; it is retried.
/// The server's sweep calls <see cref="CheckIfDue"/> for every logged-in session.
/// </summary>
internal sealed class SessionKeeper(IAuthService auth, Replies replies, IOptions<ChatOptions> options, TimeProvider time, ILogger<SessionKeeper> logger)
{
    private static readonly TimeSpan RetryAfterOutage = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxRefreshLead = TimeSpan.FromSeconds(60);

    private readonly TimeSpan _checkInterval = options.Value.SessionCheckInterval;

    /// <summary>When the login should next be looked at.</summary>
    public DateTimeOffset NextCheck(AuthIdentity identity)
    {
        var now = time.GetUtcNow();
        var next = _checkInterval > TimeSpan.Zero ? now + _checkInterval : DateTimeOffset.MaxValue;
        var deadline = identity.Session is null ? identity.ExpiresAt : RefreshAt(identity, now);
        return deadline < next ? deadline : next;
    }

    /// <summary>Starts a check of <paramref name="session"/> when one is due and none is running; never waits for it.</summary>
    public void CheckIfDue(ChatSession session, DateTimeOffset now, CancellationToken stopping)
    {
        if (session.NextSessionCheck <= now && session.TryBeginSessionCheck())
        {
            _ = CheckSessionAsync(session, stopping);
        }
    }

    private async Task CheckSessionAsync(ChatSession session, CancellationToken stopping)
    {
        var identity = session.Identity!;
        try
        {
            var (verdict, kept, next) = await CheckAsync(identity, stopping).ConfigureAwait(false);
            session.EndSessionCheck(kept, next);
            if (verdict == SessionVerdict.Gone)
            {
                ChatLog.SessionEnded(logger, session.Id);
                session.QuitReason = "session expired";
                session.Output.CloseWith(replies.SessionExpired);
            }
        }
        catch (OperationCanceledException)
        {
            session.EndSessionCheck(identity, DateTimeOffset.MaxValue); // stopping
        }
        catch (Exception ex)
        {
            // Never let a check die silently: it would stop checking this login for good.
            ChatLog.SessionCheckFailed(logger, session.Id, ex);
            session.EndSessionCheck(identity, time.GetUtcNow() + RetryAfterOutage);
        }
    }

    /// <summary>Refreshes or checks the login; returns the identity to keep (possibly renewed), or a verdict to end it.</summary>
    public async Task<(SessionVerdict Verdict, AuthIdentity Identity, DateTimeOffset NextCheck)> CheckAsync(AuthIdentity identity, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (identity.Session is { } session && now >= RefreshAt(identity, now))
        {
            var refreshed = await auth.RefreshAsync(session, cancellationToken).ConfigureAwait(false);
            switch (refreshed.Status)
            {
                case RefreshStatus.Refreshed:
                    var renewed = identity with
                    {
                        Session = refreshed.Session!.ForKeeping(),
                        AccessToken = refreshed.Session!.AccessToken,
                        ExpiresAt = ExpiryOf(refreshed.Session!, now),
                    };
                    return (SessionVerdict.Alive, renewed, NextCheck(renewed));
                case RefreshStatus.Gone:
                    return (SessionVerdict.Gone, identity, now);
                default:
                    return (SessionVerdict.Unavailable, identity, now + RetryAfterOutage);
            }
        }

        if (identity.Session is null && now >= identity.ExpiresAt)
        {
            return (SessionVerdict.Gone, identity, now);
        }

        var verdict = await auth.CheckUserAsync(identity.AccessToken!, cancellationToken).ConfigureAwait(false);
        return verdict switch
        {
            SessionVerdict.Alive => (verdict, identity, NextCheck(identity)),
            SessionVerdict.Gone => (verdict, identity, now),
            _ => (verdict, identity, now + RetryAfterOutage),
        };
    }

    // Refresh a little before expiry: a minute ahead, or halfway through a short-lived token.
    private static DateTimeOffset RefreshAt(AuthIdentity identity, DateTimeOffset now)
    {
        var lifetime = identity.Session is { ExpiresIn: > 0 } s ? TimeSpan.FromSeconds(s.ExpiresIn) : identity.ExpiresAt - now;
        var lead = lifetime / 2 < MaxRefreshLead ? lifetime / 2 : MaxRefreshLead;
        return identity.ExpiresAt - lead;
    }

    private static DateTimeOffset ExpiryOf(Session session, DateTimeOffset now) => session.ExpiresAt > 0
        ? DateTimeOffset.FromUnixTimeSeconds(session.ExpiresAt)
        : now.AddSeconds(session.ExpiresIn > 0 ? session.ExpiresIn : 3600);
}

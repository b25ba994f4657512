using System.Collections.Concurrent;
using TcpChat.Server.Store;

namespace TcpChat.Server.Chat;

/// <summary>
/// The accounts online, by id and by nick (case-insensitively). Which account owns which nick is the store's to say;
/// this only mirrors it for the accounts with a session here, so <c>/msg</c> and moderation find their sessions
/// without a store call. Logins, logouts and renames take one lock; lookups take none.
/// </summary>
internal sealed class AccountRegistry
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, Account> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Account> _byNick = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The online account that owns <paramref name="nick"/>, or null.</summary>
    public Account? FindByNick(string nick) => _byNick.GetValueOrDefault(nick);

    /// <summary>The online account with this id, or null.</summary>
    public Account? FindById(string accountId) => _byId.GetValueOrDefault(accountId);

    /// <summary>
    /// Adds <paramref name="session"/> to its account (bringing the account online with <paramref name="nick"/> when it
    /// is the first session). Null, and nothing changes, when the account already has <paramref name="maxSessions"/>.
    /// </summary>
    public Account? Attach(ChatSession session, string accountId, string email, string nick, int maxSessions)
    {
        lock (_gate)
        {
            if (!_byId.TryGetValue(accountId, out var account))
            {
                account = new Account(accountId, email, nick);
                _byId[accountId] = account;
                _byNick[nick] = account;
            }
            else if (account.Sessions.Length >= maxSessions)
            {
                return null;
            }

            account.Sessions = [.. account.Sessions, session];
            session.Account = account;
            return account;
        }
    }

    /// <summary>Removes the session from its account; the account goes offline with its last session.</summary>
    public void Detach(ChatSession session)
    {
        if (session.Account is not { } account)
        {
            return;
        }

        lock (_gate)
        {
            account.Sessions = [.. account.Sessions.Where(s => !ReferenceEquals(s, session))];
            if (account.Sessions.Length == 0)
            {
                _byId.TryRemove(new KeyValuePair<string, Account>(account.Id, account));
                _byNick.TryRemove(new KeyValuePair<string, Account>(account.Nick, account));
            }
        }
    }

    /// <summary>Mirrors a nick change the store has made: every session of the account shows <paramref name="nick"/>.</summary>
    public void Rename(Account account, string nick)
    {
        lock (_gate)
        {
            string old = account.Nick;
            account.Nick = nick;
            if (!_byId.TryGetValue(account.Id, out var online) || !ReferenceEquals(online, account))
            {
                return;
            }

            if (!string.Equals(old, nick, StringComparison.OrdinalIgnoreCase))
            {
                _byNick.TryRemove(new KeyValuePair<string, Account>(old, account));
            }

            _byNick[nick] = account;
        }
    }

    /// <summary>
    /// The nick an account asks for at its first login: the email's local part cut to the allowed characters (the store
    /// adds a number when another account owns it). The client never chooses it.
    /// </summary>
    public static string DefaultNick(string email)
    {
        string local = email.Split('@')[0];
        string nick = new([.. local.Where(IsNickChar)]);
        return nick.Length == 0 ? "user" : nick[..Math.Min(nick.Length, StoreLimits.MaxNickLength)];
    }

    public static bool IsValid(string nick) => nick.Length is >= 1 and <= StoreLimits.MaxNickLength && nick.All(IsNickChar);

    private static bool IsNickChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.';
}

namespace TcpChat.Server.Store;

internal sealed partial class SqliteChatStore
{
    public Task<string> ClaimNickAsync(string accountId, string defaultNick, CancellationToken cancellationToken) =>
        RunAsync(write: true, () =>
        {
            if (Scalar<string>("SELECT nick FROM nicks WHERE account = $account", ("$account", accountId)) is { } owned)
            {
                return owned;
            }

            for (int n = 1; ; n++)
            {
                string candidate = StoreLimits.NumberedNick(defaultNick, n);
                if (Execute("INSERT INTO nicks (account, nick) VALUES ($account, $nick) ON CONFLICT DO NOTHING", ("$account", accountId), ("$nick", candidate)) == 1)
                {
                    return candidate;
                }
            }
        }, cancellationToken);

    public Task<string?> GetNickAsync(string accountId, CancellationToken cancellationToken) =>
        RunAsync(write: false, () => Scalar<string>("SELECT nick FROM nicks WHERE account = $account", ("$account", accountId)), cancellationToken);

    public Task<string?> FindAccountByNickAsync(string nick, CancellationToken cancellationToken) =>
        RunAsync(write: false, () => Scalar<string>("SELECT account FROM nicks WHERE nick = $nick", ("$nick", nick)), cancellationToken);

    public Task<NickChange> ChangeNickAsync(string accountId, string newNick, CancellationToken cancellationToken) =>
        RunAsync(write: true, () =>
        {
            string? old = Scalar<string>("SELECT nick FROM nicks WHERE account = $account", ("$account", accountId));
            string? owner = Scalar<string>("SELECT account FROM nicks WHERE nick = $nick", ("$nick", newNick));
            if (owner is not null && owner != accountId)
            {
                return new NickChange(NickChangeOutcome.Taken, old);
            }

            Execute("INSERT INTO nicks (account, nick) VALUES ($account, $nick) ON CONFLICT (account) DO UPDATE SET nick = excluded.nick",
                ("$account", accountId), ("$nick", newNick));
            return new NickChange(NickChangeOutcome.Changed, old);
        }, cancellationToken);
}

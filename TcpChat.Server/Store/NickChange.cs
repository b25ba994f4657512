namespace TcpChat.Server.Store;

/// <summary>What <see cref="IChatStore.ChangeNickAsync"/> did; <paramref name="OldNick"/> is the account's nick before the call.</summary>
internal sealed record NickChange(NickChangeOutcome Outcome, string? OldNick);

internal enum NickChangeOutcome
{
    /// <summary>The account owns the new nick now (also when only its case changed, or it already owned it).</summary>
    Changed,

    /// <summary>Another account owns the nick, online or not; nothing changed.</summary>
    Taken,
}

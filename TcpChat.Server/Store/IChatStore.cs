namespace TcpChat.Server.Store;

/// <summary>
/// What the chat keeps across restarts: nick ownership, rooms with their owner, operators, topic and bans, and each
/// room's recent history. Every method is one atomic operation (a transaction here, a script on Redis), so two nodes
/// or two sessions racing for the same nick or room get one winner without a read-modify-write spread over calls.
/// Room names come normalized from the chat (<c>#name</c>, lower case); nicks compare case-insensitively.
/// </summary>
internal interface IChatStore : IAsyncDisposable
{
    /// <summary>True between a successful <see cref="OpenAsync"/> and <see cref="CloseAsync"/>: for a readiness check.</summary>
    bool IsOpen { get; }

    /// <summary>Opens (creating or migrating) the store; <see cref="StoreUnavailableException"/> with one line naming the file otherwise.</summary>
    Task OpenAsync(CancellationToken cancellationToken);

    /// <summary>Writes every accepted history line, then closes. Idempotent.</summary>
    Task CloseAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The nick <paramref name="accountId"/> owns; on its first claim, <paramref name="defaultNick"/>, or with a number
    /// added (<c>alice2</c>, <c>alice3</c>, ...) when another account owns it.
    /// </summary>
    Task<string> ClaimNickAsync(string accountId, string defaultNick, CancellationToken cancellationToken);

    /// <summary>The nick the account owns, or null if it never claimed one.</summary>
    Task<string?> GetNickAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>The account owning <paramref name="nick"/> (any case), online or not; null when nobody owns it.</summary>
    Task<string?> FindAccountByNickAsync(string nick, CancellationToken cancellationToken);

    /// <summary>Moves the account to <paramref name="newNick"/> unless another account owns it; the old nick becomes free.</summary>
    Task<NickChange> ChangeNickAsync(string accountId, string newNick, CancellationToken cancellationToken);

    /// <summary>
    /// For a join: creates the room with <paramref name="ownerAccountId"/> as owner when it does not exist (the first
    /// caller wins; null creates it unowned), otherwise marks it joined now. Creating one more room than
    /// <see cref="StoreLimits.MaxOwnedRoomsPerAccount"/> for an owner creates nothing.
    /// </summary>
    Task<RoomCreation> EnsureRoomAsync(string room, string? ownerAccountId, CancellationToken cancellationToken);

    /// <summary>The room, or null if it does not exist (never created or dropped by retention).</summary>
    Task<StoredRoom?> GetRoomAsync(string room, CancellationToken cancellationToken);

    /// <summary>Marks the room joined now, so retention keeps it; false if it does not exist.</summary>
    Task<bool> TouchRoomAsync(string room, CancellationToken cancellationToken);

    /// <summary>How many rooms the account owns.</summary>
    Task<int> CountOwnedRoomsAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>Makes the account an operator of the room; false if it already was or the room does not exist.</summary>
    Task<bool> AddOperatorAsync(string room, string accountId, CancellationToken cancellationToken);

    /// <summary>Removes the account as operator; false if it was none or the room does not exist.</summary>
    Task<bool> RemoveOperatorAsync(string room, string accountId, CancellationToken cancellationToken);

    /// <summary>Sets the topic (empty text clears it); the topic as stored, or null if the room does not exist.</summary>
    Task<RoomTopic?> SetTopicAsync(string room, string text, string byAccountId, CancellationToken cancellationToken);

    /// <summary>Bans the account from the room (a second ban replaces the first's author, time and reason); false if the room does not exist.</summary>
    Task<bool> AddBanAsync(string room, string accountId, string byAccountId, string reason, CancellationToken cancellationToken);

    /// <summary>Lifts the account's ban; false if it was not banned.</summary>
    Task<bool> RemoveBanAsync(string room, string accountId, CancellationToken cancellationToken);

    /// <summary>The room's bans, oldest first, with the current nicks of the banned account and its banner.</summary>
    Task<IReadOnlyList<RoomBan>> GetBansAsync(string room, CancellationToken cancellationToken);

    /// <summary>Whether the account is banned from the room.</summary>
    Task<bool> IsBannedAsync(string room, string accountId, CancellationToken cancellationToken);

    /// <summary>
    /// Drops rooms (with operators, bans and history) that nobody joined and nobody changed the topic, operators or
    /// bans of for <see cref="StoreLimits.RoomRetention"/>; returns how many. The chat touches rooms that have members.
    /// </summary>
    Task<int> DropExpiredRoomsAsync(CancellationToken cancellationToken);

    /// <summary>Accepts a chat line for the room's history without waiting: it is written behind, in batches.</summary>
    void AppendHistory(string room, HistoryLine line);

    /// <summary>The room's last <paramref name="count"/> lines (at most the history bounds), oldest first, including lines not yet written.</summary>
    Task<IReadOnlyList<HistoryLine>> ReadHistoryAsync(string room, int count, CancellationToken cancellationToken);

    /// <summary>Writes every history line accepted so far.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}

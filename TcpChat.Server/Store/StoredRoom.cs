namespace TcpChat.Server.Store;

/// <summary>A room as the store keeps it; <paramref name="OwnerAccountId"/> is null for an unowned room such as the default one.</summary>
internal sealed record StoredRoom(string Name, string? OwnerAccountId, DateTimeOffset CreatedAt, RoomTopic? Topic, IReadOnlyList<string> OperatorAccountIds);

/// <summary>A room's topic, who set it and when.</summary>
internal sealed record RoomTopic(string Text, string SetByAccountId, DateTimeOffset SetAt);

/// <summary>One ban of an account from a room; the nicks are the accounts' current ones (null if they own none).</summary>
internal sealed record RoomBan(string AccountId, string? Nick, string ByAccountId, string? ByNick, DateTimeOffset At, string Reason);

namespace TcpChat.Server.Store;

/// <summary>What <see cref="IChatStore.EnsureRoomAsync"/> did; <paramref name="Room"/> is null only for <see cref="RoomCreationOutcome.OwnerLimitReached"/>.</summary>
internal sealed record RoomCreation(RoomCreationOutcome Outcome, StoredRoom? Room);

internal enum RoomCreationOutcome
{
    /// <summary>The room did not exist; this call created it.</summary>
    Created,

    /// <summary>The room existed (another caller created it first); it is marked joined now.</summary>
    Existed,

    /// <summary>The room did not exist and the would-be owner already owns the most rooms allowed; nothing was created.</summary>
    OwnerLimitReached,
}

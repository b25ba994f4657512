namespace TcpChat.Server.Store;

/// <summary>
/// The bounds that keep the store from filling the disk, taken from the <c>Chat</c> settings.
/// </summary>
/// <param name="HistoryLines">Lines kept per room (<c>Chat:HistorySize</c>); 0 keeps none.</param>
/// <param name="HistoryBytesPerRoom">UTF-8 bytes of nick and text kept per room (<c>Chat:HistoryBytesPerRoom</c>).</param>
/// <param name="MaxOwnedRoomsPerAccount">Rooms one account may own (<c>Chat:MaxOwnedRoomsPerAccount</c>); 0 = no limit.</param>
/// <param name="RoomRetention">Idle time after which a room is dropped (<c>Chat:RoomRetention</c>); zero keeps rooms forever.</param>
internal sealed record StoreLimits(int HistoryLines, int HistoryBytesPerRoom, int MaxOwnedRoomsPerAccount, TimeSpan RoomRetention)
{
    /// <summary>Longest nick, as the protocol allows; a numbered fallback is cut to fit.</summary>
    public const int MaxNickLength = 24;

    /// <summary>The defaults of the settings.</summary>
    public static readonly StoreLimits Default = new(200, 256 * 1024, 20, TimeSpan.FromDays(30));

    /// <summary>What one history line counts against <see cref="HistoryBytesPerRoom"/>.</summary>
    public static int SizeOf(HistoryLine line) =>
        System.Text.Encoding.UTF8.GetByteCount(line.Nick) + System.Text.Encoding.UTF8.GetByteCount(line.Text);

    /// <summary>The <paramref name="n"/>th candidate for a default nick: the nick itself, then with 2, 3, ... added, cut to fit.</summary>
    public static string NumberedNick(string nick, int n)
    {
        if (n == 1)
        {
            return nick;
        }

        string suffix = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return nick[..Math.Min(nick.Length, MaxNickLength - suffix.Length)] + suffix;
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace TcpChat.Server.Chat;

/// <summary>All rooms with at least one member, by canonical name. Empty rooms are removed without racing a join.</summary>
internal sealed class RoomRegistry(IOptions<ChatOptions> options)
{
    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);
    private readonly int _historySize = options.Value.HistorySize;

    public Room? Find(string name) => _rooms.GetValueOrDefault(name);

    /// <summary>Snapshot of the rooms, by name.</summary>
    public Room[] List() => [.. _rooms.Values.Where(r => r.Count > 0).OrderBy(r => r.Name, StringComparer.Ordinal)];

    /// <summary>Puts <paramref name="member"/> in the room (creating it) and makes it current. Returns false if it was already a member.</summary>
    public bool Join(ChatSession member, string name, out Room room)
    {
        while (true)
        {
            room = _rooms.GetOrAdd(name, static (n, size) => new Room(n, size), _historySize);
            bool wasMember = member.IsIn(room);
            if (room.TryAdd(member))
            {
                member.MarkJoined(room);
                return !wasMember;
            }

            // The room emptied and closed between lookup and add: drop it (if still there) and try a fresh one.
            _rooms.TryRemove(new KeyValuePair<string, Room>(name, room));
        }
    }

    public void Leave(ChatSession member, Room room)
    {
        member.MarkLeft(room);
        if (room.Remove(member))
        {
            _rooms.TryRemove(new KeyValuePair<string, Room>(room.Name, room));
        }
    }

    /// <summary>Validates and canonicalizes a room name: <c>#</c> added if missing, lower case, 1-32 of <c>a-z 0-9 _ -</c>.</summary>
    public static bool TryNormalize(string input, out string name)
    {
        string body = input.StartsWith('#') ? input[1..] : input;
        name = string.Empty;
        if (body.Length is < 1 or > 32)
        {
            return false;
        }

        foreach (char c in body)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        name = "#" + body.ToLowerInvariant();
        return true;
    }
}

using System.Collections.Concurrent;
using System.Globalization;

namespace TcpChat.Server.Chat;

/// <summary>Nicks of connected users, unique case-insensitively.</summary>
internal sealed class NickRegistry
{
    public const int MaxLength = 24;

    private readonly ConcurrentDictionary<string, ChatSession> _nicks = new(StringComparer.OrdinalIgnoreCase);

    public ChatSession? Find(string nick) => _nicks.GetValueOrDefault(nick);

    /// <summary>
    /// Claims a nick derived from a verified email: the local part cut to the allowed characters, with a number
    /// added when taken (<c>alice</c>, <c>alice2</c>, ...). The client never chooses it.
    /// </summary>
    public string ClaimDefault(ChatSession member, string email)
    {
        string local = email.Split('@')[0];
        string baseNick = new([.. local.Where(IsNickChar)]);
        if (baseNick.Length == 0)
        {
            baseNick = "user";
        }

        baseNick = baseNick[..Math.Min(baseNick.Length, MaxLength)];
        for (int n = 1; ; n++)
        {
            string suffix = n == 1 ? string.Empty : n.ToString(CultureInfo.InvariantCulture);
            string candidate = baseNick[..Math.Min(baseNick.Length, MaxLength - suffix.Length)] + suffix;
            if (_nicks.TryAdd(candidate, member))
            {
                member.Nick = candidate;
                return candidate;
            }
        }
    }

    /// <summary>Moves <paramref name="member"/> to <paramref name="nick"/>; false if someone else holds it.</summary>
    public bool TryRename(ChatSession member, string nick)
    {
        string? old = member.Nick;
        if (old is not null && string.Equals(old, nick, StringComparison.OrdinalIgnoreCase))
        {
            // Only the case changes: same key, new spelling.
            _nicks[nick] = member;
            member.Nick = nick;
            return true;
        }

        if (!_nicks.TryAdd(nick, member))
        {
            return false;
        }

        member.Nick = nick;
        if (old is not null)
        {
            _nicks.TryRemove(new KeyValuePair<string, ChatSession>(old, member));
        }

        return true;
    }

    public void Release(ChatSession member)
    {
        if (member.Nick is { } nick)
        {
            _nicks.TryRemove(new KeyValuePair<string, ChatSession>(nick, member));
        }
    }

    public static bool IsValid(string nick) => nick.Length is >= 1 and <= MaxLength && nick.All(IsNickChar);

    private static bool IsNickChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.';
}

using System.Globalization;

namespace TcpChat.Server.Protocol;

/// <summary>
/// Turns one decoded client line into a <see cref="Command"/>: the grammar of docs/protocol.md and nothing else (no
/// state, no lookups), so every verb and argument shape is tested in a table.
/// </summary>
internal static class CommandParser
{
    public const int DefaultHistory = 20;
    public const int MaxHistory = 200;

    /// <summary>Parses <paramref name="line"/>; before login the leading <c>/</c> is optional and there is no chat.</summary>
    public static Command Parse(string line, bool loggedIn)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return new Command(Verb.Empty);
        }

        if (!loggedIn)
        {
            var (word, args) = Split(line.StartsWith('/') ? line[1..] : line);
            return ParseBeforeLogin(word, args);
        }

        if (line.StartsWith("//", StringComparison.Ordinal))
        {
            return new Command(Verb.Say) { Text = line[1..] };
        }

        if (!line.StartsWith('/'))
        {
            // A login line typed again by mistake is never chat: it would show a password or token to the room.
            return LooksLikeLogin(line) is { } login ? new Command(login) : new Command(Verb.Say) { Text = line };
        }

        var (verb, rest) = Split(line[1..]);
        return ParseAfterLogin(verb, rest);
    }

    private static Command ParseBeforeLogin(string word, string args) => word.ToUpperInvariant() switch
    {
        "AUTH" => PasswordLogin(Verb.Auth, word, args),
        "SIGNUP" => PasswordLogin(Verb.Signup, word, args),
        "RECOVER" => SingleWord(args, out var email) ? new Command(Verb.Recover, word) { Email = email } : Usage(Verb.Recover, word),
        "TOKEN" => SingleWord(args, out var token) ? new Command(Verb.Token, word) { Secret = token } : Usage(Verb.Token, word),
        "RESET" => Reset(word, args),
        "MFA" => SingleWord(args, out var code) ? new Command(Verb.Mfa, word) { Secret = code } : Usage(Verb.Mfa, word),
        "GUEST" => args.Trim().Length == 0 ? new Command(Verb.Guest, word) : Usage(Verb.Guest, word),
        "HELP" => new Command(Verb.Help, word),
        "QUIT" => new Command(Verb.Quit, word) { Text = args.Trim() },
        _ => new Command(Verb.Unknown, word),
    };

    private static Command ParseAfterLogin(string word, string args)
    {
        switch (word.ToUpperInvariant())
        {
            case "JOIN":
                return SingleWord(args, out var room) ? new Command(Verb.Join, word) { Room = room } : Usage(Verb.Join, word);
            case "LEAVE" or "PART":
                return new Command(Verb.Leave, word) { Room = args.Trim() };
            case "ROOMS":
                return new Command(Verb.Rooms, word);
            case "WHO":
                return new Command(Verb.Who, word) { Room = args.Trim() };
            case "MSG":
                var (target, text) = Split(args.TrimStart());
                return target.Length == 0 || text.Length == 0 ? Usage(Verb.Msg, word) : new Command(Verb.Msg, word) { Target = target, Text = text };
            case "ME":
                return args.Trim().Length == 0 ? Usage(Verb.Me, word) : new Command(Verb.Me, word) { Text = args };
            case "NICK":
                string nick = args.Trim();
                return nick.Length == 0 ? Usage(Verb.Nick, word) : new Command(Verb.Nick, word) { Target = nick };
            case "HISTORY":
                return History(word, args);
            case "PING":
                return new Command(Verb.Ping, word);
            case "HELP":
                return new Command(Verb.Help, word);
            case "QUIT":
                return new Command(Verb.Quit, word) { Text = args.Trim() };
            case "AUTH":
                return new Command(Verb.Auth, word);
            case "SIGNUP":
                return new Command(Verb.Signup, word);
            case "RECOVER":
                return new Command(Verb.Recover, word);
            case "TOKEN":
                return new Command(Verb.Token, word);
            case "RESET":
                return new Command(Verb.Reset, word);
            case "MFA":
                return new Command(Verb.Mfa, word);
            case "GUEST":
                return new Command(Verb.Guest, word);
            case "TOPIC":
                var (topicRoom, topic) = OptionalRoom(args);
                return new Command(Verb.Topic, word) { Room = topicRoom, Text = topic.Trim() };
            case "OP":
                return RoomAndNick(Verb.Op, word, args, reasonAllowed: false);
            case "DEOP":
                return RoomAndNick(Verb.Deop, word, args, reasonAllowed: false);
            case "KICK":
                return RoomAndNick(Verb.Kick, word, args, reasonAllowed: true);
            case "BAN":
                return RoomAndNick(Verb.Ban, word, args, reasonAllowed: true);
            case "UNBAN":
                return RoomAndNick(Verb.Unban, word, args, reasonAllowed: false);
            case "BANS":
                var (bansRoom, extra) = OptionalRoom(args);
                return extra.Trim().Length == 0 ? new Command(Verb.Bans, word) { Room = bansRoom } : Usage(Verb.Bans, word);
            case "PASSWORD":
                return Password(word, args);
            default:
                return new Command(Verb.Unknown, word);
        }
    }

    // The password is everything after the single space that follows the email, spaces included.
    private static Command PasswordLogin(Verb verb, string word, string args)
    {
        var (email, password) = Split(args.TrimStart(' '));
        return email.Length == 0 || password.Length == 0 ? Usage(verb, word) : new Command(verb, word) { Email = email, Secret = password };
    }

    // RESET <email> <code> <new-password>: the new password, like AUTH's, is the rest of the line.
    private static Command Reset(string word, string args)
    {
        var (email, rest) = Split(args.TrimStart(' '));
        var (code, password) = Split(rest.TrimStart(' '));
        return email.Length == 0 || code.Length == 0 || password.Length == 0
            ? Usage(Verb.Reset, word)
            : new Command(Verb.Reset, word) { Email = email, Secret = code, Secret2 = password };
    }

    // /password <new> [code]
    private static Command Password(string word, string args)
    {
        var parts = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length is < 1 or > 2
            ? Usage(Verb.Password, word)
            : new Command(Verb.Password, word) { Secret = parts[0], Secret2 = parts.Length > 1 ? parts[1] : string.Empty };
    }

    // /op [#room] <nick>, /kick [#room] <nick> [reason] ...
    private static Command RoomAndNick(Verb verb, string word, string args, bool reasonAllowed)
    {
        var (room, rest) = OptionalRoom(args);
        var (nick, reason) = Split(rest.TrimStart(' '));
        reason = reason.Trim();
        return nick.Length == 0 || (!reasonAllowed && reason.Length > 0)
            ? Usage(verb, word)
            : new Command(verb, word) { Room = room, Target = nick, Text = reason };
    }

    // A first argument that starts with # is the room; the rest follows it.
    private static (string Room, string Remainder) OptionalRoom(string args)
    {
        string trimmed = args.TrimStart(' ');
        return trimmed.StartsWith('#') ? Split(trimmed) : (string.Empty, trimmed);
    }

    // /history [room] [n]: an argument of digits only is n, anything else (even "2fast") names the room.
    private static Command History(string word, string args)
    {
        string room = string.Empty;
        int count = DefaultHistory;
        var parts = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > 2)
        {
            return Usage(Verb.History, word);
        }

        foreach (var part in parts)
        {
            bool negative = part.StartsWith('-');
            if (part.Length > (negative ? 1 : 0) && !part.AsSpan(negative ? 1 : 0).ContainsAnyExceptInRange('0', '9'))
            {
                if (negative || part.TrimStart('0').Length == 0)
                {
                    return new Command(Verb.History, word) { Problem = ArgumentProblem.BadCount };
                }

                // More than 200 (however many digits) is cut to 200.
                count = part.TrimStart('0').Length > 3 ? MaxHistory : Math.Min(int.Parse(part, CultureInfo.InvariantCulture), MaxHistory);
            }
            else
            {
                room = part;
            }
        }

        return new Command(Verb.History, word) { Room = room, Count = count };
    }

    private static bool SingleWord(string args, out string word)
    {
        word = args.Trim();
        return word.Length > 0 && !word.Contains(' ', StringComparison.Ordinal);
    }

    private static Command Usage(Verb verb, string word) => new(verb, word) { Problem = ArgumentProblem.Usage };

    /// <summary>The verb, then everything after the first space.</summary>
    private static (string Verb, string Args) Split(string text)
    {
        int space = text.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (text, string.Empty) : (text[..space], text[(space + 1)..]);
    }

    // AUTH <x@y> ..., SIGNUP <x@y> ..., TOKEN <a.b.c>. Span-based: this runs for every chat line.
    private static Verb? LooksLikeLogin(string line)
    {
        var text = line.AsSpan();
        int space = text.IndexOf(' ');
        if (space is < 4 or > 6)
        {
            return null;
        }

        var verb = text[..space];
        var args = text[(space + 1)..];
        if (verb.Equals("AUTH", StringComparison.OrdinalIgnoreCase))
        {
            return args.Contains('@') ? Verb.Auth : null;
        }

        if (verb.Equals("SIGNUP", StringComparison.OrdinalIgnoreCase))
        {
            return args.Contains('@') ? Verb.Signup : null;
        }

        return verb.Equals("TOKEN", StringComparison.OrdinalIgnoreCase) && args.Count('.') >= 2 ? Verb.Token : null;
    }
}

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

    private static readonly char[] Blanks = [' ', '\t'];

    /// <summary>Parses <paramref name="line"/>; before login the leading <c>/</c> is optional and there is no chat.</summary>
    public static Command Parse(string line, bool loggedIn)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return new Command(Verb.Empty);
        }

        if (!loggedIn)
        {
            // Before login nothing is chat, so spaces or tabs typed before the verb are only noise.
            string trimmed = line.TrimStart(Blanks);
            var (word, args) = Split(trimmed.StartsWith('/') ? trimmed[1..] : trimmed);
            return ParseBeforeLogin(word, args);
        }

        if (!line.StartsWith('/') || line.StartsWith("//", StringComparison.Ordinal))
        {
            // A login line typed again by mistake is never chat, however it is spelled (leading blanks, a / or //):
            // it would show a password or token to the room and its history.
            string text = line.StartsWith('/') ? line[1..] : line;
            return LooksLikeLogin(text) is { } login ? new Command(login) : new Command(Verb.Say) { Text = text };
        }

        var (verb, rest) = Split(line[1..]);
        return ParseAfterLogin(verb, rest);
    }

    private static Command ParseBeforeLogin(string word, string args) => BeforeLoginVerb(word) switch
    {
        Verb.Auth => PasswordLogin(Verb.Auth, word, args),
        Verb.Signup => PasswordLogin(Verb.Signup, word, args),
        Verb.Recover => SingleWord(args, out var email) ? new Command(Verb.Recover, word) { Email = email } : Usage(Verb.Recover, word),
        Verb.Token => SingleWord(args, out var token) ? new Command(Verb.Token, word) { Secret = token } : Usage(Verb.Token, word),
        Verb.Reset => Reset(word, args),
        Verb.Mfa => SingleWord(args, out var code) ? new Command(Verb.Mfa, word) { Secret = code } : Usage(Verb.Mfa, word),
        Verb.Guest => args.Trim().Length == 0 ? new Command(Verb.Guest, word) : Usage(Verb.Guest, word),
        Verb.Help => new Command(Verb.Help, word),
        Verb.Quit => new Command(Verb.Quit, word) { Text = args.Trim() },
        _ => new Command(Verb.Unknown, word),
    };

    /// <summary>The verbs known before login, case-insensitive; also what <see cref="LooksLikeLogin"/> recognizes.</summary>
    private static Verb BeforeLoginVerb(ReadOnlySpan<char> word) => word.Length switch
    {
        3 when word.Equals("MFA", StringComparison.OrdinalIgnoreCase) => Verb.Mfa,
        4 when word.Equals("AUTH", StringComparison.OrdinalIgnoreCase) => Verb.Auth,
        4 when word.Equals("HELP", StringComparison.OrdinalIgnoreCase) => Verb.Help,
        4 when word.Equals("QUIT", StringComparison.OrdinalIgnoreCase) => Verb.Quit,
        5 when word.Equals("TOKEN", StringComparison.OrdinalIgnoreCase) => Verb.Token,
        5 when word.Equals("RESET", StringComparison.OrdinalIgnoreCase) => Verb.Reset,
        5 when word.Equals("GUEST", StringComparison.OrdinalIgnoreCase) => Verb.Guest,
        6 when word.Equals("SIGNUP", StringComparison.OrdinalIgnoreCase) => Verb.Signup,
        7 when word.Equals("RECOVER", StringComparison.OrdinalIgnoreCase) => Verb.Recover,
        _ => Verb.Unknown,
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
                // HELP, QUIT and the login verbs (answered "already logged in") are the ones known before login too.
                return BeforeLoginVerb(word) switch
                {
                    Verb.Quit => new Command(Verb.Quit, word) { Text = args.Trim() },
                    var verb => new Command(verb, word),
                };
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

    // AUTH <x@y> ..., SIGNUP <x@y> ..., RESET <x@y> ..., TOKEN <a.b.c>, spelled any way the parser accepts before
    // login (leading blanks, a /, any case; tabs too). Span-based: this runs for every chat line.
    private static Verb? LooksLikeLogin(string line)
    {
        var text = line.AsSpan().TrimStart(Blanks);
        if (text.StartsWith('/'))
        {
            text = text[1..];
        }

        int end = text.IndexOfAny(Blanks);
        if (end < 0)
        {
            return null;
        }

        var args = text[(end + 1)..];
        var verb = BeforeLoginVerb(text[..end]);
        return verb switch
        {
            Verb.Auth or Verb.Signup or Verb.Reset when args.Contains('@') => verb,
            Verb.Token when args.Count('.') >= 2 => verb,
            _ => null,
        };
    }

    /// <summary>
    /// The command a bare word stands for when someone types it as a whole line after login (<c>help</c>,
    /// <c>quit</c>, <c>exit</c>, <c>who</c>, <c>rooms</c>; any case, blanks around ignored); null for anything else.
    /// </summary>
    public static string? BareCommandWord(string text)
    {
        var word = text.AsSpan().Trim(Blanks);
        return word.Length switch
        {
            3 when word.Equals("who", StringComparison.OrdinalIgnoreCase) => "/who",
            4 when word.Equals("help", StringComparison.OrdinalIgnoreCase) => "/help",
            4 when word.Equals("quit", StringComparison.OrdinalIgnoreCase) => "/quit",
            4 when word.Equals("exit", StringComparison.OrdinalIgnoreCase) => "/quit",
            5 when word.Equals("rooms", StringComparison.OrdinalIgnoreCase) => "/rooms",
            _ => null,
        };
    }
}

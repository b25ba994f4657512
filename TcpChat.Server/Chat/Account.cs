namespace TcpChat.Server.Chat;

/// <summary>
/// A Supabase account with at least one session online: the nick it owns (the store keeps that across restarts) and
/// its sessions. Created by <see cref="AccountRegistry"/> at the first session's login, dropped after the last one.
/// </summary>
internal sealed class Account(string id, string email, string nick)
{
    private string _nick = nick;
    private ChatSession[] _sessions = [];

    /// <summary>The Supabase user id (the token's <c>sub</c>).</summary>
    public string Id { get; } = id;

    /// <summary>The verified email of the session that brought the account online; for the server-operator list.</summary>
    public string Email { get; } = email;

    /// <summary>The nick every session of the account shows.</summary>
    public string Nick
    {
        get => Volatile.Read(ref _nick);
        internal set => Volatile.Write(ref _nick, value);
    }

    /// <summary>The sessions online now, as an array that is never changed (the registry replaces it).</summary>
    public ChatSession[] Sessions
    {
        get => Volatile.Read(ref _sessions);
        internal set => Volatile.Write(ref _sessions, value);
    }

    /// <summary>Hands the same bytes to every session of the account.</summary>
    public void Send(byte[] line)
    {
        foreach (var session in Sessions)
        {
            session.Send(line);
        }
    }
}

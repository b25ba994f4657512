using System.ComponentModel.DataAnnotations;

namespace TcpChat.Server.Chat;

/// <summary>The <c>Chat</c> configuration section: listeners, limits and protocol settings.</summary>
internal sealed class ChatOptions
{
    public const string SectionName = "Chat";

    /// <summary>Plaintext listeners as <c>host:port</c>, comma-separated (e.g. <c>0.0.0.0:7878,[::]:7878</c>). Default: empty, so <see cref="Host"/>:<see cref="Port"/> is used.</summary>
    public string? Endpoints { get; set; }

    /// <summary>Address of the plaintext listener. Default <c>127.0.0.1</c>.</summary>
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Port of the plaintext listener; 0 picks a free one. Default 7878.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 7878;

    /// <summary>The TLS listener (off unless <see cref="TlsOptions.CertificatePath"/> is set).</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>Refuse logins over plaintext from non-loopback addresses with <c>ERR TLS_REQUIRED</c>. Default false.</summary>
    public bool RequireTlsForRemoteLogin { get; set; }

    /// <summary>The room every client joins at login. Default <c>#lobby</c>.</summary>
    [Required]
    public string DefaultRoom { get; set; } = "#lobby";

    /// <summary>Longest accepted line in bytes, before the terminator. Default 4096.</summary>
    [Range(64, 1024 * 1024)]
    public int MaxLineBytes { get; set; } = 4096;

    /// <summary>Most connections held at once. Default 20000.</summary>
    [Range(1, 10_000_000)]
    public int MaxConnections { get; set; } = 20_000;

    /// <summary>Most connections from one client address. Default 100.</summary>
    [Range(1, 10_000_000)]
    public int MaxConnectionsPerAddress { get; set; } = 100;

    /// <summary>Time a new connection has to log in before <c>ERR AUTH_TIMEOUT</c>. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan LoginTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Failed logins on one connection before <c>ERR TOO_MANY_ATTEMPTS</c> and close. Default 3.</summary>
    [Range(1, 100)]
    public int MaxLoginAttempts { get; set; } = 3;

    /// <summary>Lines per second a connection may send on average; 0 turns the limit off. Default 10.</summary>
    [Range(0, 1_000_000)]
    public int MessagesPerSecond { get; set; } = 10;

    /// <summary>Lines a connection may send in a burst above the average rate. Default 20.</summary>
    [Range(1, 1_000_000)]
    public int MessageBurst { get; set; } = 20;

    /// <summary>
    /// Lines over the rate that wait, in order, to be handled at the allowed rate ("fakelag"); past them lines are
    /// refused with <c>ERR RATE_LIMITED n</c>. Default 100.
    /// </summary>
    [Range(1, 100_000)]
    public int InputBacklogLines { get; set; } = 100;

    /// <summary>Bytes of waiting lines a connection may hold, besides <see cref="InputBacklogLines"/>. Default 64 KiB.</summary>
    [Range(4 * 1024, 64 * 1024 * 1024)]
    public int InputBacklogBytes { get; set; } = 64 * 1024;

    /// <summary>Unsent output, in bytes, above which a client is behind; staying there past <see cref="SlowConsumerGrace"/> closes it. Default 1 MiB.</summary>
    [Range(16 * 1024, 1024 * 1024 * 1024)]
    public int OutboxBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long a client's unsent output may stay above <see cref="OutboxBytes"/> before it is a slow consumer and is
    /// closed: a burst that a reading client works off in time costs it nothing. Default 10 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan SlowConsumerGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Unsent output, in bytes, above which a client is closed at once, grace or not. Default 16 MiB.</summary>
    [Range(16 * 1024, 1024 * 1024 * 1024)]
    public int OutboxHardBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Close logged-in connections that send nothing for this long; zero turns it off. Default 0.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How often a logged-in client's session is checked with Supabase (<c>GET /user</c>), to end logins that were
    /// signed out elsewhere, banned or deleted; zero leaves it to the refresh before expiry. Default 5 min.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan SessionCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Rooms with more members than this stop announcing joins, leaves and quits (IRC's "auditorium mode"): in a room of
    /// thousands they are noise, and their cost grows with the square of the room size. 0 = always announce. Default 1000.
    /// </summary>
    [Range(0, 10_000_000)]
    public int PresenceEventsMaxMembers { get; set; } = 1000;

    /// <summary>Rooms one connection may be in at once; beyond it <c>/join</c> answers <c>ERR TOO_MANY_ROOMS</c>. Default 50.</summary>
    [Range(1, 10_000)]
    public int MaxRoomsPerMember { get; set; } = 50;

    /// <summary>Sessions (connections) one account may have logged in at once; one more gets <c>ERR TOO_MANY_SESSIONS</c>. Default 10.</summary>
    [Range(1, 10_000)]
    public int MaxSessionsPerAccount { get; set; } = 10;

    /// <summary>Server operators, operators of every room: emails or Supabase user ids, comma-separated. Default none.</summary>
    public string? Operators { get; set; }

    /// <summary>Chat lines kept per room for <c>/history</c>. Default 200.</summary>
    [Range(0, 100_000)]
    public int HistorySize { get; set; } = 200;

    /// <summary>
    /// UTF-8 bytes of nick and text kept per room, besides <see cref="HistorySize"/> lines: long lines cannot make a
    /// room's history large. At least <see cref="MaxLineBytes"/>. Default 256 KiB.
    /// </summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int HistoryBytesPerRoom { get; set; } = 256 * 1024;

    /// <summary>Rooms one account may own (create); 0 = no limit. Default 20.</summary>
    [Range(0, 1_000_000)]
    public int MaxOwnedRoomsPerAccount { get; set; } = 20;

    /// <summary>
    /// A room nobody joined, and whose topic, operators and bans nobody changed, for this long is forgotten with its
    /// history; zero keeps rooms forever. Default 30 days.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan RoomRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Line ending the server writes: <c>lf</c> or <c>crlf</c>. Default <c>lf</c>.</summary>
    [Required]
    [RegularExpression("^(?i)(lf|crlf)$", ErrorMessage = "Chat:Newline must be 'lf' or 'crlf'.")]
    public string Newline { get; set; } = "lf";

    /// <summary>How long shutdown waits for queued lines to be flushed before closing the rest. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>The <c>Chat:Tls</c> section: a TLS listener over the same connection code.</summary>
internal sealed class TlsOptions
{
    /// <summary>Port of the TLS listener (same address as <see cref="ChatOptions.Host"/>). Default 7879.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 7879;

    /// <summary>PEM certificate (chain) file; unset means no TLS listener.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key file for <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);
}

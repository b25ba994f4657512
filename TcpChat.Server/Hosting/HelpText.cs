namespace TcpChat.Server.Hosting;

/// <summary>What <c>--help</c> prints: usage and every option with its default.</summary>
internal static class HelpText
{
    public const string Text = """
        tcpchat 1.0 — a line-based TCP chat server with Supabase Auth logins

        Usage:
          TcpChat.Server [--Section:Key=value ...]   run the chat server
          TcpChat.Server devauth [--DevAuth:...]      run only the embedded Supabase-Auth-compatible endpoint
          TcpChat.Server --help                       this text

        Settings come from appsettings.json, environment variables (TCPCHAT_Chat__Port=7000, or the seed's
        SUPABASE_URL / SUPABASE_ANON_KEY) and the command line (--Chat:Port=7000), in that order.

        Chat (the listener and the protocol)
          --Chat:Host=127.0.0.1            plaintext listener address
          --Chat:Port=7878                 plaintext listener port (0 = any free port)
          --Chat:Endpoints=                several listeners instead: 0.0.0.0:7878,[::]:7878
          --Chat:Tls:Port=7879             TLS listener port (on when CertificatePath is set)
          --Chat:Tls:CertificatePath=      PEM certificate (chain)
          --Chat:Tls:KeyPath=              PEM private key
          --Chat:RequireTlsForRemoteLogin=false   refuse plaintext logins from non-loopback addresses
          --Chat:DefaultRoom=#lobby        room joined at login
          --Chat:MaxLineBytes=4096         longest line accepted
          --Chat:MaxConnections=20000      connections held at once
          --Chat:MaxConnectionsPerAddress=100
          --Chat:LoginTimeout=00:00:30     time to log in
          --Chat:MaxLoginAttempts=3        failed logins before the connection is closed
          --Chat:MessagesPerSecond=10      per connection; 0 = no limit
          --Chat:MessageBurst=20
          --Chat:OutboxBytes=1048576       unsent output before a client is a slow consumer
          --Chat:IdleTimeout=00:00:00      close idle logged-in clients; 0 = never
          --Chat:PresenceEventsMaxMembers=1000   bigger rooms don't announce joins/leaves/quits; 0 = always
          --Chat:SessionCheckInterval=00:05:00   check logins with Supabase (GET /user); 0 = only at refresh
          --Chat:MaxRoomsPerMember=50      rooms one connection may be in
          --Chat:HistorySize=200           lines kept per room
          --Chat:HistoryBytesPerRoom=262144   bytes of history kept per room
          --Chat:MaxOwnedRoomsPerAccount=20   rooms one account may own; 0 = no limit
          --Chat:RoomRetention=30.00:00:00    forget rooms idle this long; 0 = never
          --Chat:Newline=lf                lf or crlf
          --Chat:ShutdownTimeout=00:00:05  time to flush output on shutdown

        Store (what survives a restart)
          --Store:Path=./data/tcpchat.db   the SQLite file; created on first start
          --Store:FlushInterval=00:00:00.200   how often history is written (at most 1 s)

        Supabase (unset Url = start the embedded endpoint)
          --Supabase:Url=                  https://<ref>.supabase.co   (or SUPABASE_URL)
          --Supabase:AnonKey=              publishable/anon key        (or SUPABASE_ANON_KEY)
          --Supabase:JwtSecret=            legacy HS256 secret for TOKEN (else the project's JWKS)
          --Supabase:SecretKey=            sb_secret_... key, for Sb-Forwarded-For
          --Supabase:ForwardClientIp=false send the client's IP so Supabase rate-limits per user
          --Supabase:Timeout=00:00:10      per call to Supabase Auth
          --Supabase:MaxConcurrentCalls=64
          --Supabase:LoginsPerMinutePerAddress=20   0 = no limit
          --Supabase:LoginBurstPerAddress=10

        DevAuth (the embedded endpoint; development only)
          --DevAuth:Host=127.0.0.1  --DevAuth:Port=54321  --DevAuth:DataPath=./data/devauth.json
          --DevAuth:AutoConfirm=true  --DevAuth:AnonKey=sb_publishable_tcpchat_devauth_local_only
          --DevAuth:PasswordHashIterations=100000   PBKDF2-SHA256 cost
          --DevAuth:AccessTokenLifetimeSeconds=3600  --DevAuth:TokenRateLimit=0  --DevAuth:OtpRateLimit=0
          --DevAuth:AllowAnonymous=false  --DevAuth:SecurePasswordChange=false  --DevAuth:OtpExpirySeconds=3600
          --DevAuth:EmailMaxFrequencySeconds=60  --DevAuth:AllowedHosts=   extra Host names (comma-separated)
          beyond loopback, set --DevAuth:AnonKey and --DevAuth:SecretKey; mails go to mail/ beside DataPath

        """;
}

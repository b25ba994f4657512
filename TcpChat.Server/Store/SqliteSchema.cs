namespace TcpChat.Server.Store;

/// <summary>
/// The store's schema as numbered steps; <c>PRAGMA user_version</c> says how many a file has had. A step is never
/// changed once shipped: a change is a new step, applied on start.
/// </summary>
internal static class SqliteSchema
{
    public static readonly string[] Steps =
    [
        // 1: identity and rooms. Nicks and room names compare case-insensitively (both are ASCII).
        """
        CREATE TABLE nicks (
            account TEXT PRIMARY KEY,
            nick TEXT NOT NULL UNIQUE COLLATE NOCASE
        );
        CREATE TABLE rooms (
            name TEXT PRIMARY KEY COLLATE NOCASE,
            owner TEXT,
            created_at INTEGER NOT NULL,
            active_at INTEGER NOT NULL,
            topic TEXT,
            topic_by TEXT,
            topic_at INTEGER
        );
        CREATE INDEX rooms_by_owner ON rooms (owner) WHERE owner IS NOT NULL;
        CREATE INDEX rooms_by_activity ON rooms (active_at);
        CREATE TABLE operators (
            room TEXT NOT NULL COLLATE NOCASE REFERENCES rooms (name) ON DELETE CASCADE,
            account TEXT NOT NULL,
            PRIMARY KEY (room, account)
        ) WITHOUT ROWID;
        CREATE TABLE bans (
            room TEXT NOT NULL COLLATE NOCASE REFERENCES rooms (name) ON DELETE CASCADE,
            account TEXT NOT NULL,
            by_account TEXT NOT NULL,
            at INTEGER NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (room, account)
        ) WITHOUT ROWID;
        """,

        // 2: room history, with each line's size so a room is bounded in bytes as well as lines.
        """
        CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            room TEXT NOT NULL COLLATE NOCASE,
            at INTEGER NOT NULL,
            nick TEXT NOT NULL,
            text TEXT NOT NULL,
            bytes INTEGER NOT NULL
        );
        CREATE INDEX history_by_room ON history (room, id);
        """,
    ];

    public static int Version => Steps.Length;
}

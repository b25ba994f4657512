using System.ComponentModel.DataAnnotations;

namespace TcpChat.Server.Store;

/// <summary>The <c>Store</c> configuration section: where the embedded store lives.</summary>
internal sealed class StoreOptions
{
    public const string SectionName = "Store";

    /// <summary>The SQLite file, relative to the working directory; created on first start. Default <c>./data/tcpchat.db</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Path { get; set; } = "./data/tcpchat.db";

    /// <summary>
    /// How often accepted history lines are written, in one transaction. At most 1 s: a crash may lose this much.
    /// Default 200 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:01")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);
}

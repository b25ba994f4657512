using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TcpChat.Server.Chat;
using TcpChat.Server.Protocol;

namespace TcpChat.Server.Networking;

/// <summary>What every connection shares, held once so a connection carries one reference instead of many.</summary>
internal sealed class ConnectionContext(
    IOptions<ChatOptions> options,
    ChatCommands commands,
    Replies replies,
    DeferredFlush deferred,
    TimeProvider time,
    ILogger<ClientConnection> logger)
{
    public ChatOptions Options { get; } = options.Value;

    public ChatCommands Commands { get; } = commands;

    public Replies Replies { get; } = replies;

    /// <summary>The answer to an oversized line, encoded once.</summary>
    public byte[] LineTooLong { get; } = replies.LineTooLong(options.Value.MaxLineBytes);

    public TimeProvider Time { get; } = time;

    public DeferredFlush Deferred { get; } = deferred;

    public ILogger Logger { get; } = logger;
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TcpChat.Server.Hosting;
using TcpChat.Server.Protocol;

namespace TcpChat.Server.Networking;

/// <summary>What every connection shares, held once so a connection carries one reference instead of many.</summary>
internal sealed class ConnectionContext(
    IOptions<ChatOptions> options,
    CommandDispatcher commands,
    LineEncoder encoder,
    DeferredFlush deferred,
    TimeProvider time,
    ILogger<ClientConnection> logger)
{
    public ChatOptions Options { get; } = options.Value;

    public CommandDispatcher Commands { get; } = commands;

    public LineEncoder Encoder { get; } = encoder;

    public TimeProvider Time { get; } = time;

    public DeferredFlush Deferred { get; } = deferred;

    public ILogger Logger { get; } = logger;
}

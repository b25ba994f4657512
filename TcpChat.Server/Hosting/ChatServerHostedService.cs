using Microsoft.Extensions.Hosting;
using TcpChat.Server.Networking;

namespace TcpChat.Server.Hosting;

/// <summary>Only adapts <see cref="ChatServer"/> to the host's start and stop.</summary>
internal sealed class ChatServerHostedService(ChatServer server) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => server.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => server.StopAsync(cancellationToken);
}

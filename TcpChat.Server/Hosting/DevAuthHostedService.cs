using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TcpChat.DevAuth;
using TcpChat.Server.Auth;

namespace TcpChat.Server.Hosting;

/// <summary>
/// Starts <see cref="DevAuthServer"/> when no <c>Supabase:Url</c> is configured and points
/// <see cref="SupabaseEndpoint"/> at it; with a real project configured it does nothing.
/// </summary>
internal sealed class DevAuthHostedService(
    DevAuthServer server,
    SupabaseEndpoint endpoint,
    IConfiguration configuration,
    IOptions<DevAuthOptions> options,
    ILogger<DevAuthHostedService> logger) : IHostedService
{
    private bool _running;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(configuration["Supabase:Url"]))
        {
            HostingLog.DevAuthNotStarted(logger);
            return;
        }

        var url = await server.StartAsync(cancellationToken);
        _running = true;
        // As on a real project, Sb-Forwarded-For is honoured only with the secret key.
        bool forward = string.Equals(configuration["Supabase:ForwardClientIp"], "true", StringComparison.OrdinalIgnoreCase);
        endpoint.Set(url, forward ? options.Value.SecretKey : options.Value.AnonKey);
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        _running ? server.StopAsync(cancellationToken) : Task.CompletedTask;
}

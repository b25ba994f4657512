using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TcpChat.DevAuth;
using TcpChat.Server.Auth;

namespace TcpChat.Server.Hosting;

/// <summary>
/// Starts <see cref="DevAuthServer"/> when no <c>Supabase:Url</c> is configured and points
/// <see cref="SupabaseEndpoint"/> at it; with a real project configured it only names that project in the log.
/// The data file is saved only once the whole host has started: a failed start leaves it untouched.
/// </summary>
internal sealed class DevAuthHostedService(
    DevAuthServer server,
    SupabaseEndpoint endpoint,
    IConfiguration configuration,
    IOptions<DevAuthOptions> options,
    ILogger<DevAuthHostedService> logger) : IHostedLifecycleService
{
    private bool _running;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration["Supabase:Url"] is { Length: > 0 } project)
        {
            // Never credentials: a URL with user info loses it (keys are never part of the URL).
            HostingLog.DevAuthNotStarted(logger, Uri.TryCreate(project, UriKind.Absolute, out var uri)
                ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
                : project);
            return;
        }

        var url = await server.ListenAsync(cancellationToken);
        _running = true;
        // As on a real project, Sb-Forwarded-For is honoured only with the secret key.
        bool forward = string.Equals(configuration["Supabase:ForwardClientIp"], "true", StringComparison.OrdinalIgnoreCase);
        endpoint.Set(url, forward ? options.Value.SecretKey : options.Value.AnonKey);
    }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (_running)
        {
            server.StartSaving();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        _running ? server.StopAsync(cancellationToken) : Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

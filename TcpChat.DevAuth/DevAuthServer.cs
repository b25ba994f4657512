using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TcpChat.DevAuth;

/// <summary>
/// The embedded Supabase-Auth-compatible endpoint: a Kestrel minimal-API app on its own port, speaking
/// docs/supabase-auth.md so the normal Supabase client (ours, or Supabase's libraries) works against it unchanged.
/// Plain code; the chat host's hosted service and <see cref="DevAuthStandalone"/> only drive it.
/// </summary>
public sealed class DevAuthServer : IAsyncDisposable
{
    private readonly DevAuthOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DevAuthUserStore _users;
    private readonly DevAuthRateLimits _limits;
    private readonly IStartupFilter[] _pipeline;
    private DevAuthTokenIssuer? _tokens;
    private WebApplication? _app;
    private int _started;
    private int _stopped;

    /// <param name="options">The settings; nothing else configures the endpoint.</param>
    /// <param name="loggerFactory">The embedding program's logging.</param>
    /// <param name="time">The clock for token lifetimes, mail windows and reuse intervals.</param>
    /// <param name="pipeline">
    /// Middleware that runs in front of the endpoint's own (in DI: <see cref="IStartupFilter"/>s keyed
    /// <see cref="PipelineKey"/>): the tests inject faults this way.
    /// </param>
    public DevAuthServer(DevAuthOptions options, ILoggerFactory loggerFactory, TimeProvider time, IEnumerable<IStartupFilter> pipeline)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options;
        _loggerFactory = loggerFactory;
        _time = time;
        _pipeline = [.. pipeline];
        _logger = loggerFactory.CreateLogger<DevAuthServer>();
        _users = new DevAuthUserStore(options.DataPath, _logger);
        _limits = new DevAuthRateLimits(options);
        Mailbox = new DevAuthMailbox(options.DataPath, time);
    }

    /// <summary>The DI key of the <see cref="IStartupFilter"/>s that go in front of the endpoint.</summary>
    public const string PipelineKey = "DevAuth";

    /// <summary>The development mailbox (<c>mail/</c> beside the data file); in-process tests read codes here.</summary>
    internal DevAuthMailbox Mailbox { get; }

    /// <summary>Loads (and locks) the data file, binds, starts saving, and returns the project root URL (with the real port when Port is 0).</summary>
    public async Task<Uri> StartAsync(CancellationToken ct)
    {
        var root = await ListenAsync(ct);
        StartSaving();
        return root;
    }

    /// <summary>
    /// <see cref="StartAsync"/> without saving: changes wait in memory until <see cref="StartSaving"/>. A host calls
    /// that once everything else has started, so a process that fails to start never writes the data file.
    /// </summary>
    public async Task<Uri> ListenAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("DevAuthServer can only be started once.");
        }

        await _users.LoadAsync(ct);
        _users.SigningKey ??= DevAuthTokenIssuer.CreateKey();
        _tokens = new DevAuthTokenIssuer(_users.SigningKey);

        var ip = IPAddress.Parse(_options.Host);
        if (!IPAddress.IsLoopback(ip))
        {
            DevAuthLog.NotLoopback(_logger, _options.Host);
        }

        // Slim builder with no configuration sources: DevAuthOptions is the only input.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.WebHost.UseKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Limits.MaxRequestBodySize = DevAuthApi.MaxBodyBytes;
            o.Listen(ip, _options.Port);
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(_loggerFactory));
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        // The embedding process owns Ctrl+C and SIGTERM, not this inner app.
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        foreach (var filter in _pipeline)
        {
            builder.Services.AddSingleton(filter);
        }

        var api = new DevAuthApi(_options, _users, new DevAuthSessionStore(_time), _tokens, _limits,
            Mailbox, new DevAuthHostFilter(ip, _options.AllowedHosts), _time,
            _loggerFactory.CreateLogger<DevAuthApi>());
        _app = builder.Build();
        _app.Use(api.InvokeAsync);
        api.Map(_app);

        try
        {
            await _app.StartAsync(ct);
        }
        catch (IOException e)
        {
            throw new IOException($"DevAuth:Port: {e.Message}", e);
        }

        var bound = new Uri(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        var root = new UriBuilder(bound) { Host = ReachableHost(ip) }.Uri;
        api.SetRoot(root);
        DevAuthLog.Started(_logger, root);
        return root;
    }

    public void StartSaving() => _users.StartFlushing();

    /// <summary>Stops listening and, once saving has started, flushes pending user-store writes.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        if (_app is null || Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _app.StopAsync(ct);
        if (await _users.StopFlushingAsync())
        {
            DevAuthLog.Stopped(_logger, _users.Count, _users.FilePath);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
            _app = null;
        }

        _limits.Dispose();
        _users.Dispose();
        _tokens?.Dispose();
    }

    /// <summary>A wildcard bind is reached through loopback by this process.</summary>
    private static string ReachableHost(IPAddress ip) =>
        ip.Equals(IPAddress.Any) ? IPAddress.Loopback.ToString()
        : ip.Equals(IPAddress.IPv6Any) ? $"[{IPAddress.IPv6Loopback}]"
        : ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]"
        : ip.ToString();

    private sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

        public void Dispose()
        {
            // The factory belongs to the caller.
        }
    }

    private sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

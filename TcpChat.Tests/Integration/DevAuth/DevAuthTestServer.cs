using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using TcpChat.DevAuth;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Integration.DevAuth;

/// <summary>A real DevAuthServer on port 0 with a temporary data file, and an HttpClient that sends the anon key.</summary>
internal sealed class DevAuthTestServer : IAsyncDisposable
{
    private static readonly ILoggerFactory LoggerFactory =
        Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(new NUnitLoggerProvider()));

    private readonly bool _ownsDirectory;

    private DevAuthTestServer(DevAuthServer server, DevAuthFaults faults, DevAuthOptions options, FakeTimeProvider clock, Uri root, string directory, bool ownsDirectory)
    {
        Faults = faults;
        _ownsDirectory = ownsDirectory;
        Server = server;
        Options = options;
        Clock = clock;
        Root = root;
        Directory = directory;
        Http = new DevAuthHttp(root, options.AnonKey);
    }

    public DevAuthServer Server { get; }

    /// <summary>Faults injected in front of the endpoint.</summary>
    public DevAuthFaults Faults { get; }

    public DevAuthOptions Options { get; }

    public FakeTimeProvider Clock { get; }

    public Uri Root { get; }

    public string Directory { get; }

    public DevAuthHttp Http { get; }

    public HttpClient Client => Http.Client;

    /// <summary>Starts a server; a given <paramref name="directory"/> is kept on dispose (restart tests), else a temp one is removed.</summary>
    public static async Task<DevAuthTestServer> StartAsync(CancellationToken ct, Action<DevAuthOptions>? configure = null, string? directory = null)
    {
        var ownsDirectory = directory is null;
        directory ??= NewDirectory();
        var options = new DevAuthOptions
        {
            Port = 0,
            DataPath = Path.Combine(directory, "sub", "devauth.json"),
            PasswordHashIterations = 1000,
        };
        configure?.Invoke(options);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var faults = new DevAuthFaults();
        var server = new DevAuthServer(options, LoggerFactory, clock, [faults]);
        var root = await server.StartAsync(ct);
        return new DevAuthTestServer(server, faults, options, clock, root, directory, ownsDirectory);
    }

    public static string NewDirectory() => Path.Combine(Path.GetTempPath(), "devauth-tests", Guid.NewGuid().ToString("N"));

    public Task<HttpResponseMessage> PostAsync(string path, object body, CancellationToken ct) => Http.PostAsync(path, body, ct);

    public Task<HttpResponseMessage> SignUpAsync(string email, string password, CancellationToken ct) =>
        PostAsync("signup", new { email, password }, ct);

    public Task<HttpResponseMessage> LoginAsync(string email, string password, CancellationToken ct) =>
        PostAsync("token?grant_type=password", new { email, password }, ct);

    public Task<HttpResponseMessage> RefreshAsync(string refreshToken, CancellationToken ct) =>
        PostAsync("token?grant_type=refresh_token", new { refresh_token = refreshToken }, ct);

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? bearer, CancellationToken ct, object? body = null) =>
        Http.SendAsync(method, path, bearer, ct, body);

    /// <summary>Signs up (autoconfirm) and returns the session body.</summary>
    public async Task<JsonObject> NewSessionAsync(string email, CancellationToken ct, string password = "secret123")
    {
        using var response = await SignUpAsync(email, password, ct);
        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), await response.Content.ReadAsStringAsync(ct));
        return await DevAuthHttp.ReadObjectAsync(response, ct);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        if (_ownsDirectory && System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

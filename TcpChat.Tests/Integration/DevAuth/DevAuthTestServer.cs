using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using TcpChat.DevAuth;

namespace TcpChat.Tests.Integration.DevAuth;

/// <summary>A real DevAuthServer on port 0 with a temporary data file, and an HttpClient that sends the anon key.</summary>
internal sealed class DevAuthTestServer : IAsyncDisposable
{
    private static readonly ILoggerFactory LoggerFactory =
        Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(new TestLoggerProvider()));

    private readonly bool _ownsDirectory;

    private DevAuthTestServer(DevAuthServer server, DevAuthOptions options, TestClock clock, Uri root, string directory, bool ownsDirectory)
    {
        _ownsDirectory = ownsDirectory;
        Server = server;
        Options = options;
        Clock = clock;
        Root = root;
        Directory = directory;
        Client = NewClient(root);
        Client.DefaultRequestHeaders.Add("apikey", options.AnonKey);
    }

    public DevAuthServer Server { get; }

    public DevAuthOptions Options { get; }

    public TestClock Clock { get; }

    public Uri Root { get; }

    public string Directory { get; }

    public HttpClient Client { get; }

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
        var clock = new TestClock();
        var server = new DevAuthServer(options, LoggerFactory, clock);
        var root = await server.StartAsync(ct);
        return new DevAuthTestServer(server, options, clock, root, directory, ownsDirectory);
    }

    public static string NewDirectory() => Path.Combine(Path.GetTempPath(), "devauth-tests", Guid.NewGuid().ToString("N"));

    public static HttpClient NewClient(Uri root) => new() { BaseAddress = root, Timeout = TimeSpan.FromSeconds(30) };

    public Task<HttpResponseMessage> PostAsync(string path, object body, CancellationToken ct) =>
        Client.PostAsJsonAsync("auth/v1/" + path, body, ct);

    public Task<HttpResponseMessage> SignUpAsync(string email, string password, CancellationToken ct) =>
        PostAsync("signup", new { email, password }, ct);

    public Task<HttpResponseMessage> LoginAsync(string email, string password, CancellationToken ct) =>
        PostAsync("token?grant_type=password", new { email, password }, ct);

    public Task<HttpResponseMessage> RefreshAsync(string refreshToken, CancellationToken ct) =>
        PostAsync("token?grant_type=refresh_token", new { refresh_token = refreshToken }, ct);

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? bearer, CancellationToken ct, object? body = null)
    {
        var request = new HttpRequestMessage(method, "auth/v1/" + path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return Client.SendAsync(request, ct);
    }

    /// <summary>Signs up (autoconfirm) and returns the session body.</summary>
    public async Task<JsonObject> NewSessionAsync(string email, CancellationToken ct, string password = "secret123")
    {
        using var response = await SignUpAsync(email, password, ct);
        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), await response.Content.ReadAsStringAsync(ct));
        return await ReadObjectAsync(response, ct);
    }

    public static async Task<JsonObject> ReadObjectAsync(HttpResponseMessage response, CancellationToken ct) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!.AsObject();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        if (_ownsDirectory && System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

/// <summary>A clock the test moves by hand: token expiry, mail windows and reuse intervals without sleeping.</summary>
internal sealed class TestClock : TimeProvider
{
    private long _ticks = DateTimeOffset.UtcNow.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TcpChat.DevAuth;
using TcpChat.Server.Auth;
using TcpChat.Server.Hosting;
using TcpChat.Server.Networking;

namespace TcpChat.Tests.Infrastructure;

/// <summary>
/// The whole host in-process: chat listener on port 0 and the embedded Supabase-Auth-compatible endpoint on port 0,
/// with a throwaway user store and chat store. Tests talk to it over real sockets.
/// </summary>
public sealed class ChatServerFixture : IAsyncDisposable
{
    private static int _userCounter;
    private readonly IHost _host;
    private readonly string _dataDir;
    private readonly DevAuthHttp _devAuthHttp;

    private ChatServerFixture(IHost host, string dataDir, DevAuthFaults faults, DevAuthHttp devAuthHttp)
    {
        _host = host;
        _dataDir = dataDir;
        DevAuthFaults = faults;
        _devAuthHttp = devAuthHttp;
    }

    public IPEndPoint EndPoint => Server.Endpoints[0];

    internal ChatServer Server => _host.Services.GetRequiredService<ChatServer>();

    /// <summary>Faults injected in front of the embedded endpoint.</summary>
    internal DevAuthFaults DevAuthFaults { get; }

    public IServiceProvider Services => _host.Services;

    /// <summary>Starts a server; <paramref name="settings"/> are <c>Key=value</c> overrides (e.g. <c>Chat:MaxLoginAttempts=2</c>).</summary>
    public static Task<ChatServerFixture> StartAsync(params string[] settings) => StartAsync(null, settings);

    /// <summary>As <see cref="StartAsync(string[])"/>; <paramref name="logs"/> also receives every log line.</summary>
    public static async Task<ChatServerFixture> StartAsync(ILoggerProvider? logs, params string[] settings)
    {
        string dataDir = Path.Combine(Path.GetTempPath(), "tcpchat-tests", Guid.NewGuid().ToString("N"));
        var args = new List<string>
        {
            "--Chat:Port=0",
            "--DevAuth:Port=0",
            $"--DevAuth:DataPath={Path.Combine(dataDir, "devauth.json")}",
            $"--Store:Path={Path.Combine(dataDir, "tcpchat.db")}",
            "--DevAuth:PasswordHashIterations=1000",
            "--Chat:MessagesPerSecond=0",
            "--Supabase:LoginsPerMinutePerAddress=0",
            "--Chat:ShutdownTimeout=00:00:02",
        };
        args.AddRange(settings.Select(s => "--" + s));
        var builder = ChatHost.CreateBuilder([.. args]);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new NUnitLoggerProvider());
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        var faults = new DevAuthFaults();
        builder.Services.AddKeyedSingleton<IStartupFilter>(DevAuthServer.PipelineKey, faults);
        var host = builder.Build();
        await host.StartAsync().WaitAsync(TestTimeouts.Default);
        var target = await host.Services.GetRequiredService<SupabaseEndpoint>().GetAsync(CancellationToken.None);
        return new ChatServerFixture(host, dataDir, faults, new DevAuthHttp(target.ProjectUrl, DevAuthOptions.DefaultAnonKey));
    }

    public Task<ChatTestClient> ConnectAsync(bool readGreeting = true) => ChatTestClient.ConnectAsync(EndPoint, readGreeting);

    /// <summary>A unique email for this test run.</summary>
    public static string NewEmail(string name = "user") =>
        $"{name}{Interlocked.Increment(ref _userCounter)}x{Environment.ProcessId}@example.com";

    /// <summary>
    /// Connects, signs up a new account (auto-confirmed) and returns the logged-in client in the default room; with
    /// <paramref name="leaveLobby"/>, it leaves the shared lobby so other tests' joins and quits don't reach it.
    /// </summary>
    public async Task<ChatTestClient> SignUpAsync(string name = "user", string password = "correct horse", bool leaveLobby = false)
    {
        var client = await ConnectAsync();
        await client.SendAsync($"SIGNUP {NewEmail(name)} {password}");
        string ok = await client.ExpectNextAsync("OK AUTH ");
        client.Nick = ok["OK AUTH ".Length..];
        await client.ExpectNextAsync("OK JOIN #lobby");
        if (leaveLobby)
        {
            await client.SendAsync("/leave #lobby");
            await client.ExpectAsync("OK LEAVE #lobby");
        }

        return client;
    }

    /// <summary>
    /// A client that signs up into the default room and then never reads: its small receive window makes the server's
    /// queue for it fill soon. Returns once <paramref name="witnesses"/> (members of the default room) saw it join.
    /// </summary>
    public async Task<ChatTestClient> SignUpStalledAsync(params ChatTestClient[] witnesses)
    {
        var stalled = await ConnectAsync();
        stalled.Socket.ReceiveBufferSize = 4096;
        await stalled.SendAsync($"SIGNUP {NewEmail("stalled")} stalled-password");
        foreach (var witness in witnesses)
        {
            await witness.ExpectAsync("#lobby * ");
        }

        return stalled;
    }

    /// <summary>Two new clients alone in a new room (out of the lobby), once the first has seen the second join.</summary>
    public async Task<(ChatTestClient A, ChatTestClient B, string Room)> PairInNewRoomAsync(string prefix)
    {
        var a = await SignUpAsync(leaveLobby: true);
        var b = await SignUpAsync(leaveLobby: true);
        string room = "#" + prefix + Guid.NewGuid().ToString("N")[..10];
        await a.SendAsync("/join " + room);
        await a.ExpectNextAsync("OK JOIN");
        await b.SendAsync("/join " + room);
        await b.ExpectNextAsync("OK JOIN");
        await a.ExpectAsync(room + " * " + b.Nick + " joined");
        return (a, b, room);
    }

    /// <summary>Calls the embedded endpoint's REST API (as another Supabase client would); <paramref name="bearer"/> defaults to none.</summary>
    public Task<(int Status, JsonElement Body)> DevAuthCallAsync(HttpMethod method, string path, object? body = null, string? bearer = null, string? apiKey = null) =>
        _devAuthHttp.CallAsync(method, path, CancellationToken.None, body, bearer, apiKey);

    /// <summary>A fresh session for an existing account, straight from the embedded endpoint (password grant).</summary>
    public async Task<(string AccessToken, string UserId)> PasswordGrantAsync(string email, string password)
    {
        var (status, body) = await DevAuthCallAsync(HttpMethod.Post, "/token?grant_type=password", new { email, password });
        NUnit.Framework.Assert.That(status, NUnit.Framework.Is.EqualTo(200), body.ToString());
        return (body.GetProperty("access_token").GetString()!, body.GetProperty("user").GetProperty("id").GetString()!);
    }

    /// <summary>An admin call with the secret key, as the Supabase dashboard would make.</summary>
    public Task<(int Status, JsonElement Body)> DevAuthAdminAsync(HttpMethod method, string path, object? body = null) =>
        DevAuthCallAsync(method, path, body, bearer: DevAuthOptions.DefaultSecretKey, apiKey: DevAuthOptions.DefaultSecretKey);

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        _devAuthHttp.Dispose();
        await _host.StopAsync(cts.Token);
        _host.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}

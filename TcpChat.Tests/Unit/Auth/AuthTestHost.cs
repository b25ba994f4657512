using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TcpChat.Server.Auth;

namespace TcpChat.Tests.Unit.Auth;

/// <summary>
/// The real DI wiring (AddSupabaseAuth, so the real resilience pipeline) with the primary HTTP handler swapped for
/// <see cref="FakeSupabaseHandler"/>. Points at https://ref.supabase.co with the anon key "anon-key".
/// </summary>
internal sealed class AuthTestHost : IDisposable
{
    public const string ProjectUrl = "https://ref.supabase.co";
    public const string AuthBase = ProjectUrl + "/auth/v1";
    public const string AnonKey = "anon-key";

    private AuthTestHost(ServiceProvider services, FakeSupabaseHandler handler)
    {
        Services = services;
        Handler = handler;
    }

    public ServiceProvider Services { get; }

    public FakeSupabaseHandler Handler { get; }

    public AuthService Auth => Services.GetRequiredService<AuthService>();

    public SupabaseAuthClient Client => Services.GetRequiredService<SupabaseAuthClient>();

    public AccessTokenValidator Validator => Services.GetRequiredService<AccessTokenValidator>();

    public static AuthTestHost Create(Action<Dictionary<string, string?>>? configure = null, TimeProvider? time = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Supabase:Url"] = ProjectUrl,
            ["Supabase:AnonKey"] = AnonKey,
        };
        configure?.Invoke(settings);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        var handler = new FakeSupabaseHandler();
        var services = new ServiceCollection();
        services.AddLogging();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddSupabaseAuth(configuration);
        services.AddHttpClient(SupabaseAuthClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
        return new AuthTestHost(services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }), handler);
    }

    public void Dispose() => Services.Dispose();
}

internal static class TestJson
{
    public const string UserId = "3f1c9a44-5b1e-4c39-9d0e-0d5f1a2b3c4d";

    public static string User(string email = "alice@example.com", string id = UserId, string identities = """[{"identity_id":"i1","provider":"email"}]""") =>
        $$"""{"id":"{{id}}","aud":"authenticated","role":"authenticated","email":"{{email}}","phone":"","app_metadata":{"provider":"email"},"user_metadata":{},"identities":{{identities}},"created_at":"2026-01-01T00:00:00.123456Z","updated_at":"2026-01-01T00:00:00Z","is_anonymous":false}""";

    public static string Session(string accessToken = "header.payload.sig", string refreshToken = "refresh-1", long expiresAt = 1_900_000_000) =>
        $$"""{"access_token":"{{accessToken}}","token_type":"bearer","expires_in":3600,"expires_at":{{expiresAt}},"refresh_token":"{{refreshToken}}","user":{{User()}}}""";
}

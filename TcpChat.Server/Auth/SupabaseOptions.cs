using System.ComponentModel.DataAnnotations;

namespace TcpChat.Server.Auth;

/// <summary>
/// The <c>Supabase</c> configuration section: where Supabase Auth is and how the server talks to it
/// (README "Configuration"). The host maps <c>SUPABASE_URL</c> / <c>SUPABASE_ANON_KEY</c> onto
/// <see cref="Url"/> / <see cref="AnonKey"/>.
/// </summary>
internal sealed class SupabaseOptions
{
    public const string SectionName = "Supabase";

    /// <summary>
    /// The project URL without <c>/auth/v1</c>, e.g. <c>https://ref.supabase.co</c>; absolute http or https.
    /// Default: unset, which means the embedded dev endpoint (DevAuth).
    /// </summary>
    public string? Url { get; set; }

    /// <summary>The publishable (<c>sb_publishable_…</c>) or legacy anon key sent as <c>apikey</c>. Required when <see cref="Url"/> is set. Default: unset.</summary>
    public string? AnonKey { get; set; }

    /// <summary>
    /// The legacy HS256 JWT secret. When set, HS256 access tokens are verified locally with it; ES256/RS256 tokens
    /// are always verified with the project's JWKS. Default: unset.
    /// </summary>
    public string? JwtSecret { get; set; }

    /// <summary>A secret key (<c>sb_secret_…</c>); used as <c>apikey</c> instead of <see cref="AnonKey"/> when <see cref="ForwardClientIp"/> is on. Default: unset.</summary>
    public string? SecretKey { get; set; }

    /// <summary>
    /// Send <c>Sb-Forwarded-For: &lt;client ip&gt;</c> so Supabase rate-limits each end user rather than the server
    /// (docs/supabase-auth.md §6). Requires <see cref="SecretKey"/> and "IP Address Forwarding" enabled on the project.
    /// Default: false.
    /// </summary>
    public bool ForwardClientIp { get; set; }

    /// <summary>Total time allowed for one Supabase call, retries included. Default: 10 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many Supabase calls may be in flight at once; as many again may wait in a queue, beyond that a login is
    /// answered <c>AUTH_UNAVAILABLE</c>. Default: 64.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxConcurrentCalls { get; set; } = 64;

    /// <summary>Sustained logins (AUTH, SIGNUP, RECOVER, TOKEN checked with Supabase) per client address per minute; 0 turns the throttle off. Default: 20.</summary>
    [Range(0, 1_000_000)]
    public int LoginsPerMinutePerAddress { get; set; } = 20;

    /// <summary>Logins a client address may make at once before <see cref="LoginsPerMinutePerAddress"/> applies. Default: 10.</summary>
    [Range(1, 1_000_000)]
    public int LoginBurstPerAddress { get; set; } = 10;

    /// <summary>True when a hosted or self-hosted project is configured (not the embedded dev endpoint).</summary>
    public bool HasProjectUrl => !string.IsNullOrWhiteSpace(Url);

    /// <summary>The key sent as <c>apikey</c> to a configured project (§6: the secret key when forwarding client IPs).</summary>
    public string? ProjectApiKey => ForwardClientIp ? SecretKey : AnonKey;

    /// <summary>Points <paramref name="endpoint"/> at the configured project; does nothing for the dev endpoint (it calls Set itself).</summary>
    public void ApplyTo(SupabaseEndpoint endpoint)
    {
        if (HasProjectUrl && ProjectApiKey is { Length: > 0 } key && Uri.TryCreate(Url, UriKind.Absolute, out var uri))
        {
            endpoint.Set(uri, key);
        }
    }
}

using System.ComponentModel.DataAnnotations;
using System.Net;

namespace TcpChat.DevAuth;

/// <summary>
/// The embedded Supabase-Auth-compatible endpoint (section <c>DevAuth</c>), started when no <c>Supabase:Url</c> is
/// configured. For development and benchmarks only: keys are public constants and data sits in a local file.
/// </summary>
public sealed class DevAuthOptions : IValidatableObject
{
    public const string SectionName = "DevAuth";

    /// <summary>The publishable key accepted as <c>apikey</c> unless <see cref="AnonKey"/> is set.</summary>
    public const string DefaultAnonKey = "sb_publishable_tcpchat_devauth_local_only";

    /// <summary>The secret key (admin API, <c>Sb-Forwarded-For</c>) unless <see cref="SecretKey"/> is set.</summary>
    public const string DefaultSecretKey = "sb_secret_tcpchat_devauth_local_only";

    /// <summary>
    /// IP address to bind. Default <c>127.0.0.1</c>. Anything beyond loopback is refused while <see cref="AnonKey"/> or
    /// <see cref="SecretKey"/> is still the public default.
    /// </summary>
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port. Default 54321 (the port of Supabase's local stack); 0 picks any free port.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 54321;

    /// <summary>JSON file holding users and the signing key. Default <c>./data/devauth.json</c>; its directory is created.</summary>
    [Required]
    public string DataPath { get; set; } = "./data/devauth.json";

    /// <summary>Confirm emails at signup (Supabase <c>mailer_autoconfirm</c>). Default true.</summary>
    public bool AutoConfirm { get; set; } = true;

    /// <summary>Publishable key accepted as <c>apikey</c>. Default <see cref="DefaultAnonKey"/>.</summary>
    [Required]
    public string AnonKey { get; set; } = DefaultAnonKey;

    /// <summary>Secret key: accepted as <c>apikey</c>, required as Bearer on the admin API. Default <see cref="DefaultSecretKey"/>.</summary>
    [Required]
    public string SecretKey { get; set; } = DefaultSecretKey;

    /// <summary>PBKDF2-SHA256 iterations for new password hashes. Default 100 000; benchmarks use e.g. 1000.</summary>
    [Range(1, 10_000_000)]
    public int PasswordHashIterations { get; set; } = 100_000;

    /// <summary>Access-token lifetime (<c>expires_in</c>). Default 3600 s.</summary>
    [Range(1, 604_800)]
    public int AccessTokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>Requests per 5 minutes per client to <c>/token</c> (both grants), burst 30 as GoTrue. Default 0 = off.</summary>
    [Range(0, int.MaxValue)]
    public int TokenRateLimit { get; set; }

    /// <summary>Requests per 5 minutes per client to <c>/signup</c> and, separately, <c>/recover</c>, burst 30. Default 0 = off.</summary>
    [Range(0, int.MaxValue)]
    public int OtpRateLimit { get; set; }

    /// <summary>A rotated refresh token used again within this many seconds returns the current token. Default 10 s.</summary>
    [Range(0, 86_400)]
    public int RefreshTokenReuseIntervalSeconds { get; set; } = 10;

    /// <summary>Minimum seconds between confirmation or recovery mails to one user (<c>SMTP_MAX_FREQUENCY</c>). Default 60 s.</summary>
    [Range(0, 86_400)]
    public int EmailMaxFrequencySeconds { get; set; } = 60;

    /// <summary>Sign-ins with no email or phone (<c>POST /signup</c> with neither). Default false, as on Supabase's local stack.</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>
    /// Supabase's "secure password change": <c>PUT /user</c> with a password needs the nonce from
    /// <c>GET /reauthenticate</c> when the session is more than 24 hours old. Default false, as on Supabase's local stack.
    /// </summary>
    public bool SecurePasswordChange { get; set; }

    /// <summary>How long a mailed code (signup, recovery, reauthentication, email change) stays valid (<c>MAILER_OTP_EXP</c>). Default 3600 s.</summary>
    [Range(1, 86_400)]
    public int OtpExpirySeconds { get; set; } = 3600;

    /// <summary>
    /// Extra <c>Host</c> header names accepted besides <c>localhost</c> and IP literals of the bound address
    /// (comma-separated, e.g. <c>auth.example.test</c>); other names are refused against DNS rebinding. Default none.
    /// </summary>
    public string AllowedHosts { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(Host, out var ip))
        {
            yield return new ValidationResult($"DevAuth:Host must be an IP address, not '{Host}'.", [nameof(Host)]);
        }
        else if (!IPAddress.IsLoopback(ip) && (AnonKey == DefaultAnonKey || SecretKey == DefaultSecretKey))
        {
            yield return new ValidationResult(
                $"DevAuth:Host {Host} is beyond loopback: set DevAuth:AnonKey and DevAuth:SecretKey (the defaults are public).",
                [nameof(Host)]);
        }

        if (string.Equals(AnonKey, SecretKey, StringComparison.Ordinal))
        {
            yield return new ValidationResult("DevAuth:AnonKey and DevAuth:SecretKey must differ.", [nameof(AnonKey), nameof(SecretKey)]);
        }
    }
}

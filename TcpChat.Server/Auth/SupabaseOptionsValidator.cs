using System.Text;
using Microsoft.Extensions.Options;

namespace TcpChat.Server.Auth;

/// <summary>The DataAnnotations rules of <see cref="SupabaseOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class SupabaseOptionsValidator : IValidateOptions<SupabaseOptions>;

/// <summary>Cross-field rules of <see cref="SupabaseOptions"/>; each failure names the configuration key.</summary>
internal sealed class SupabaseOptionsRulesValidator : IValidateOptions<SupabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, SupabaseOptions options)
    {
        var failures = new List<string>();
        if (options.HasProjectUrl)
        {
            if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var uri)
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            {
                failures.Add($"Supabase:Url: '{options.Url}' is not an absolute http or https URL without query, such as https://<ref>.supabase.co");
            }
            else if (uri.AbsolutePath.TrimEnd('/').EndsWith("/auth/v1", StringComparison.OrdinalIgnoreCase))
            {
                failures.Add("Supabase:Url is the project URL, without /auth/v1.");
            }

            if (string.IsNullOrWhiteSpace(options.AnonKey))
            {
                failures.Add("Supabase:AnonKey is required when Supabase:Url is set.");
            }
        }

        if (options.ForwardClientIp && string.IsNullOrWhiteSpace(options.SecretKey))
        {
            failures.Add("Supabase:ForwardClientIp requires Supabase:SecretKey (a sb_secret_ key).");
        }

        // HS256 with IdentityModel needs at least 256 bits of key; Supabase secrets are at least 32 characters.
        if (!string.IsNullOrEmpty(options.JwtSecret) && Encoding.UTF8.GetByteCount(options.JwtSecret) < 32)
        {
            failures.Add("Supabase:JwtSecret must be at least 32 bytes.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

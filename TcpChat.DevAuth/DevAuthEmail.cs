using System.Text;
using System.Text.RegularExpressions;

namespace TcpChat.DevAuth;

/// <summary>GoTrue's <c>validateEmail</c> (AUTH-CONTRACT.md §7): required, at most 255 bytes, checkmail format, lower-cased.</summary>
internal static partial class DevAuthEmail
{
    private const int MaxBytes = 255;

    /// <summary>Returns null and the lower-cased address, or the validation error.</summary>
    public static DevAuthError? Validate(string? email, string requiredMessage, out string normalized)
    {
        normalized = "";
        if (string.IsNullOrEmpty(email))
        {
            return DevAuthError.Validation(requiredMessage);
        }

        if (Encoding.UTF8.GetByteCount(email) > MaxBytes)
        {
            return DevAuthError.Validation("An email address is too long");
        }

        if (!Format().IsMatch(email))
        {
            return DevAuthError.Validation("Unable to validate email address: invalid format");
        }

        normalized = email.ToLowerInvariant();
        return null;
    }

    /// <summary>The lookup key for login, which GoTrue does not validate (it matches <c>LOWER(email)</c>).</summary>
    public static string Normalize(string email) => email.ToLowerInvariant();

    // badoux/checkmail ValidateFormat; \z because .NET's $ would also match before a trailing newline.
    [GeneratedRegex(@"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex Format();
}

using System.Security.Cryptography;
using System.Text;

namespace TcpChat.DevAuth;

/// <summary>Salted PBKDF2-SHA256 password hashes and GoTrue's byte-length rules (docs/supabase-auth.md §7).</summary>
internal static class DevAuthPasswords
{
    /// <summary>GoTrue's floor; lengths are UTF-8 bytes (Go <c>len</c>).</summary>
    public const int MinBytes = 6;

    /// <summary>bcrypt's limit, which GoTrue enforces even though we do not use bcrypt.</summary>
    public const int MaxBytes = 72;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>GoTrue's <c>checkPasswordStrength</c>: too long is a validation error, too short a weak password.</summary>
    public static DevAuthError? CheckStrength(string password)
    {
        var bytes = Encoding.UTF8.GetByteCount(password);
        if (bytes > MaxBytes)
        {
            return DevAuthError.Validation($"Password cannot be longer than {MaxBytes} characters");
        }

        return bytes < MinBytes ? DevAuthError.WeakPassword($"Password should be at least {MinBytes} characters.", "length") : null;
    }

    public static (byte[] Salt, byte[] Hash) Hash(string password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return (salt, Derive(password, salt, iterations));
    }

    public static bool Verify(string password, DevAuthUser user) =>
        CryptographicOperations.FixedTimeEquals(Derive(password, user.PasswordSalt, user.PasswordIterations), user.PasswordHash);

    /// <summary>
    /// The cost of <see cref="Verify"/> for a login or signup that found nobody to check (or an account it must not
    /// reveal): answer times then do not tell registered addresses from unknown ones. Always false.
    /// </summary>
    public static bool VerifyNobody(string password, int iterations) =>
        CryptographicOperations.FixedTimeEquals(Derive(password, NobodySalt, iterations), NobodyHash);

    private static readonly byte[] NobodySalt = RandomNumberGenerator.GetBytes(SaltBytes);
    private static readonly byte[] NobodyHash = new byte[HashBytes];

    private static byte[] Derive(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, HashBytes);
}

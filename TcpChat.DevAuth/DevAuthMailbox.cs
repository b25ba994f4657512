using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace TcpChat.DevAuth;

/// <summary>The kinds of mail DevAuth sends, named as GoTrue's verification types.</summary>
internal enum DevAuthMailType
{
    Signup,
    Recovery,
    MagicLink,
    Reauthentication,
    EmailChange,
}

/// <summary>One mail as the listing shows it; <see cref="Token"/> is the code, <see cref="TokenHash"/> the link's <c>token_hash</c>.</summary>
internal sealed record DevAuthMail(string Id, string To, string Subject, string Type, string Token, string TokenHash, DateTimeOffset SentAt, string File);

/// <summary>
/// The development mail catcher (like Mailpit on Supabase's local stack): each mail DevAuth would send is written as one
/// RFC 5322 <c>.eml</c> file (0600, it holds a code) in <c>mail/</c> beside the data file. The body carries the code
/// as a project's template with <c>{{ .Token }}</c> shows it, and the link with its token hash. Codes are never logged.
/// </summary>
internal sealed class DevAuthMailbox(string dataPath, TimeProvider time)
{
    private const string TypeHeader = "X-DevAuth-Type";
    private const string TokenHeader = "X-DevAuth-Token";
    private const string TokenHashHeader = "X-DevAuth-Token-Hash";

    public string Directory { get; } = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dataPath))!, "mail");

    /// <summary>A new code: six random digits (GoTrue's default <c>MAILER_OTP_LENGTH</c>).</summary>
    public static string NewCode() => RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>
    /// As GoTrue's <c>GenerateTokenHash</c>, a hex digest of the address followed by the code; SHA-256 where GoTrue uses
    /// SHA-224 (which .NET lacks). Clients treat a <c>token_hash</c> as opaque, so the difference does not show.
    /// </summary>
    public static string TokenHash(string email, string code) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email + code)));

    /// <summary>Writes the mail; <paramref name="verifyUrl"/> is the endpoint's <c>/auth/v1/verify</c>.</summary>
    public async Task<DevAuthMail> SendAsync(DevAuthMailType type, string to, string code, string verifyUrl, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var hash = TokenHash(to, code);
        var typeName = TypeName(type);
        var link = $"{verifyUrl}?token={hash}&type={typeName}";
        var (subject, body) = Content(type, code, WebUtility.HtmlEncode(link));
        var id = Guid.NewGuid().ToString("N");
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Message-ID: <{id}@devauth.local>\r\n")
            .Append(CultureInfo.InvariantCulture, $"Date: {now.ToString("r", CultureInfo.InvariantCulture)}\r\n")
            .Append("From: DevAuth <noreply@devauth.local>\r\n")
            .Append(CultureInfo.InvariantCulture, $"To: {to}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Subject: {subject}\r\n")
            .Append(CultureInfo.InvariantCulture, $"{TypeHeader}: {typeName}\r\n")
            .Append(CultureInfo.InvariantCulture, $"{TokenHeader}: {code}\r\n")
            .Append(CultureInfo.InvariantCulture, $"{TokenHashHeader}: {hash}\r\n")
            .Append("MIME-Version: 1.0\r\n")
            .Append("Content-Type: text/html; charset=utf-8\r\n")
            .Append("\r\n")
            .Append(body.ReplaceLineEndings("\r\n"))
            .Append("\r\n")
            .ToString();

        System.IO.Directory.CreateDirectory(Directory);
        var file = Path.Combine(Directory, $"{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture)}-{typeName}-{id[..8]}.eml");
        await using (var stream = new FileStream(file, DevAuthUserStore.PrivateFile()))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        }

        return new DevAuthMail(id, to, subject, typeName, code, hash, now, file);
    }

    /// <summary>All mails (to <paramref name="to"/> only, when given), oldest first, read back from the files.</summary>
    public List<DevAuthMail> List(string? to)
    {
        var mails = new List<DevAuthMail>();
        if (!System.IO.Directory.Exists(Directory))
        {
            return mails;
        }

        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.eml"))
        {
            if (Parse(file) is { } mail && (string.IsNullOrEmpty(to) || string.Equals(mail.To, to, StringComparison.OrdinalIgnoreCase)))
            {
                mails.Add(mail);
            }
        }

        mails.Sort((a, b) => a.SentAt != b.SentAt ? a.SentAt.CompareTo(b.SentAt) : string.CompareOrdinal(a.File, b.File));
        return mails;
    }

    public static string TypeName(DevAuthMailType type) => type switch
    {
        DevAuthMailType.Signup => "signup",
        DevAuthMailType.Recovery => "recovery",
        DevAuthMailType.MagicLink => "magiclink",
        DevAuthMailType.Reauthentication => "reauthentication",
        _ => "email_change",
    };

    /// <summary>Subjects as GoTrue's defaults; bodies are ours, showing both the link and the code.</summary>
    private static (string Subject, string Body) Content(DevAuthMailType type, string code, string link) => type switch
    {
        DevAuthMailType.Signup => ("Confirm your email address",
            $"<h2>Confirm your email address</h2>\n<p>Enter this code to finish signing up: <b>{code}</b></p>\n<p>Or follow this link: <a href=\"{link}\">confirm email address</a></p>"),
        DevAuthMailType.Recovery => ("Reset your password",
            $"<h2>Reset your password</h2>\n<p>Enter this code to choose a new password: <b>{code}</b></p>\n<p>Or follow this link: <a href=\"{link}\">reset password</a></p>\n<p>If you did not ask for this, ignore this mail.</p>"),
        DevAuthMailType.MagicLink => ("Your sign-in link",
            $"<h2>Your sign-in code</h2>\n<p>Enter this code to sign in: <b>{code}</b></p>\n<p>Or follow this link: <a href=\"{link}\">sign in</a></p>"),
        DevAuthMailType.Reauthentication => ($"{code} is your verification code",
            $"<h2>Your verification code</h2>\n<p>Enter this code to confirm it is you: <b>{code}</b></p>"),
        _ => ("Confirm your new email address",
            $"<h2>Confirm your new email address</h2>\n<p>Enter this code to confirm this address: <b>{code}</b></p>\n<p>Or follow this link: <a href=\"{link}\">confirm new address</a></p>"),
    };

    private static DevAuthMail? Parse(string file)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.Length == 0)
                {
                    break;
                }

                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    headers[line[..colon]] = line[(colon + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
            return null; // being written, or removed by a person; the next listing sees it
        }

        if (!headers.TryGetValue("Message-ID", out var id) || !headers.TryGetValue(TypeHeader, out var type)
            || !DateTimeOffset.TryParse(headers.GetValueOrDefault("Date"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var sent))
        {
            return null;
        }

        return new DevAuthMail(id.Trim('<', '>').Split('@')[0], headers.GetValueOrDefault("To", ""), headers.GetValueOrDefault("Subject", ""),
            type, headers.GetValueOrDefault(TokenHeader, ""), headers.GetValueOrDefault(TokenHashHeader, ""), sent, file);
    }
}

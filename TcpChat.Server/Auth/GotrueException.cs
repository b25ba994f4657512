using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace TcpChat.Server.Auth;

/// <summary>
/// Every failure of a Supabase Auth call, named as in Supabase.Gotrue. <see cref="StatusCode"/> is 0 when no HTTP
/// answer came (connection failure or timeout). The message names the status and code only: it never holds the
/// response body (which may echo an email address); use <see cref="Content"/> and <see cref="ErrorMessage"/> for that.
/// </summary>
internal sealed class GotrueException : Exception
{
    public GotrueException()
    {
    }

    public GotrueException(string message) : base(message)
    {
    }

    public GotrueException(string message, Exception innerException) : base(message, innerException)
    {
    }

    internal GotrueException(string message, int statusCode, string? errorCode, FailureHint.Reason reason, string? content, string? errorMessage, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
        Reason = reason;
        Content = content;
        ErrorMessage = errorMessage;
    }

    /// <summary>The HTTP status, or 0 when there was no answer.</summary>
    public int StatusCode { get; }

    /// <summary>The GoTrue <c>error_code</c> (header <c>x-sb-error-code</c>, else body <c>error_code</c>, <c>code</c> when a string, or OAuth <c>error</c>).</summary>
    public string? ErrorCode { get; }

    /// <summary>The failure reason, from the error code (or the message for shapes D and E).</summary>
    public FailureHint.Reason Reason { get; }

    /// <summary>The raw response body, when there was one.</summary>
    public string? Content { get; }

    /// <summary>The human message of the body (<c>msg</c>, <c>message</c> or <c>error_description</c>).</summary>
    public string? ErrorMessage { get; }

    /// <summary>True when the call timed out (no answer in <see cref="SupabaseOptions.Timeout"/>).</summary>
    public bool TimedOut { get; private init; }

    /// <summary>True when the answer was not JSON (an infrastructure error page, a proxy).</summary>
    public bool NotJson { get; private init; }

    /// <summary>True for a gateway error (shape E: <c>{message, hint}</c>, e.g. a wrong <c>apikey</c>): a configuration problem, not the user's.</summary>
    public bool IsGatewayError { get; private init; }

    /// <summary>
    /// No HTTP answer came. The message is the one log line of the failed call: endpoint, attempts and a short reason
    /// (the inner exception's first line, never its stack trace).
    /// </summary>
    internal static GotrueException Offline(string operation, string endpoint, int attempts, Exception inner, bool timedOut)
    {
        string reason = timedOut ? "timed out" : FirstLine(inner.Message);
        return new GotrueException($"Supabase Auth {operation} {endpoint}: {(timedOut ? "timed out" : "unreachable")} after {attempts} attempt{(attempts == 1 ? "" : "s")} ({reason})",
            0, null, FailureHint.Reason.Offline, null, null, inner) { TimedOut = timedOut };
    }

    private static string FirstLine(string text)
    {
        const int MaxLength = 200;
        int end = text.IndexOfAny(['\r', '\n']);
        string line = end >= 0 ? text[..end] : text;
        return line.Length > MaxLength ? line[..MaxLength] + "..." : line;
    }

    /// <summary>A 2xx answer whose body could not be used.</summary>
    internal static GotrueException BadAnswer(string operation, int statusCode, string? content, Exception? inner = null) =>
        new($"Supabase Auth {operation}: unexpected answer ({statusCode})", statusCode, null, FailureHint.Reason.Unknown, content, null, inner) { NotJson = true };

    /// <summary>
    /// Parses an error answer in any of the five shapes of docs/supabase-auth.md §2. The <c>x-sb-error-code</c> header wins;
    /// then the body's <c>error_code</c>, <c>code</c> (when a string; an int <c>code</c> is the status), OAuth <c>error</c>.
    /// A body that is not JSON (checked by Content-Type first) gives a code-less exception.
    /// </summary>
    internal static GotrueException FromResponse(string operation, int statusCode, string? headerErrorCode, MediaTypeHeaderValue? contentType, string content)
    {
        string? bodyCode = null;
        string? oauthError = null;
        string? message = null;
        bool gateway = false;
        bool json = IsJson(contentType) && TryParse(content, out bodyCode, out oauthError, out message, out gateway);

        string? errorCode = NullIfEmpty(headerErrorCode) ?? bodyCode ?? oauthError;
        FailureHint.Reason reason;
        if ((NullIfEmpty(headerErrorCode) ?? bodyCode) is { } goTrueCode)
        {
            reason = FailureHint.FromErrorCode(statusCode, goTrueCode, message);
        }
        else
        {
            // Shapes D and E (and non-JSON bodies) carry no GoTrue code: fall back to the message, as Supabase.Gotrue does.
            reason = FailureHint.FromMessage(statusCode, message);
            gateway = gateway && oauthError is null;
        }

        var text = new StringBuilder("Supabase Auth ").Append(operation).Append(" failed: ").Append(statusCode);
        if (errorCode is not null)
        {
            text.Append(' ').Append(errorCode);
        }

        return new GotrueException(text.ToString(), statusCode, errorCode, reason, content, message)
        {
            NotJson = !json,
            IsGatewayError = json && gateway && errorCode is null,
        };
    }

    internal static bool IsJson(MediaTypeHeaderValue? contentType) =>
        contentType?.MediaType is { } media
        && (media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static bool TryParse(string content, out string? errorCode, out string? oauthError, out string? message, out bool gateway)
    {
        errorCode = null;
        oauthError = null;
        message = null;
        gateway = false;
        try
        {
            using var document = JsonDocument.Parse(content);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            // Shape A: error_code + int code; shape B: string code; Postgres-in-legacy: string SQLSTATE code.
            errorCode = StringProperty(root, "error_code") ?? StringProperty(root, "code");
            oauthError = StringProperty(root, "error");
            message = StringProperty(root, "msg") ?? StringProperty(root, "message") ?? StringProperty(root, "error_description");
            gateway = errorCode is null && oauthError is null && root.TryGetProperty("message", out _);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? NullIfEmpty(value.GetString()) : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace TcpChat.DevAuth;

/// <summary>
/// A GoTrue <c>HTTPError</c> (docs/supabase-auth.md §2): shape A by default, shape B when the request asks for API
/// version 2024-01-01, and always the <c>x-sb-error-code</c> header (except on a shape-B weak-password reply, as GoTrue).
/// </summary>
internal sealed class DevAuthError(int status, string errorCode, string message) : IResult
{
    public const string ApiVersionHeader = "X-Supabase-Api-Version";
    public const string ErrorCodeHeader = "x-sb-error-code";
    private const string ApiVersion20240101 = "2024-01-01";

    private string[]? _weakPasswordReasons;
    private string? _errorId;

    public int Status => status;

    public string ErrorCode => errorCode;

    public static DevAuthError BadRequest(string errorCode, string message) => new(StatusCodes.Status400BadRequest, errorCode, message);

    public static DevAuthError Validation(string message) => BadRequest("validation_failed", message);

    public static DevAuthError BadJson(string detail) => BadRequest("bad_json", "Could not parse request body as JSON: " + detail);

    /// <summary>GoTrue's answer when user metadata (<c>data</c>) is not a JSON object; null when it is one or absent.</summary>
    public static DevAuthError? UnlessMetadata(JsonElement? data, string goParams) =>
        data is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) }
            ? BadJson($"json: cannot unmarshal data into Go struct field {goParams}.data of type map[string]interface {{}}")
            : null;

    public static DevAuthError InvalidCredentials() => BadRequest("invalid_credentials", "Invalid login credentials");

    public static DevAuthError Forbidden(string errorCode, string message) => new(StatusCodes.Status403Forbidden, errorCode, message);

    public static DevAuthError Unprocessable(string errorCode, string message) => new(StatusCodes.Status422UnprocessableEntity, errorCode, message);

    /// <summary>A valid token whose user is gone (deleted meanwhile).</summary>
    public static DevAuthError UserFromTokenGone() => Forbidden("user_not_found", "User from sub claim in JWT does not exist");

    public static DevAuthError EmailExists() => Unprocessable("email_exists", "A user with this email address has already been registered");

    public static DevAuthError MfaIpAddressMismatch() => Unprocessable("mfa_ip_address_mismatch", "Challenge and verify IP addresses mismatch.");

    public static DevAuthError RequestRateLimit() =>
        new(StatusCodes.Status429TooManyRequests, "over_request_rate_limit", "Request rate limit reached");

    public static DevAuthError EmailRateLimit(int seconds) =>
        new(StatusCodes.Status429TooManyRequests, "over_email_send_rate_limit",
            $"For security purposes, you can only request this after {seconds.ToString(CultureInfo.InvariantCulture)} seconds.");

    public static DevAuthError WeakPassword(string message, params string[] reasons) =>
        new(StatusCodes.Status422UnprocessableEntity, "weak_password", message) { _weakPasswordReasons = reasons };

    /// <summary>500 with the <c>error_id</c> GoTrue adds to every 5xx.</summary>
    public static DevAuthError Unexpected(string message, string errorId) =>
        new(StatusCodes.Status500InternalServerError, "unexpected_failure", message) { _errorId = errorId };

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var versioned = IsVersioned(httpContext.Request);
        JsonObject body;
        if (versioned)
        {
            response.Headers[ApiVersionHeader] = ApiVersion20240101;
            body = new JsonObject { ["code"] = errorCode, ["message"] = message };
        }
        else
        {
            body = new JsonObject { ["code"] = status, ["error_code"] = errorCode, ["msg"] = message };
            if (_errorId is not null)
            {
                body["error_id"] = _errorId;
            }
        }

        if (_weakPasswordReasons is not null)
        {
            body["weak_password"] = new JsonObject { ["reasons"] = new JsonArray([.. _weakPasswordReasons.Select(r => JsonValue.Create(r))]) };
        }

        if (!(versioned && _weakPasswordReasons is not null))
        {
            response.Headers[ErrorCodeHeader] = errorCode;
        }

        response.StatusCode = status;
        return response.WriteAsJsonAsync(body, DevAuthJson.Options, httpContext.RequestAborted);
    }

    /// <summary>GoTrue answers in the 2024-01-01 format for that date or any later one.</summary>
    private static bool IsVersioned(HttpRequest request) =>
        DateOnly.TryParseExact(request.Headers[ApiVersionHeader].ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture,
            DateTimeStyles.None, out var date)
        && date >= new DateOnly(2024, 1, 1);
}

using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace TcpChat.DevAuth;

/// <summary>
/// What sits in front of GoTrue on a hosted project: injected faults, the <c>apikey</c> check (shape E errors),
/// and the catch-all that turns an unexpected exception into GoTrue's 500.
/// </summary>
internal sealed partial class DevAuthApi
{
    /// <summary>GoTrue's request body limit.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private const string JwksPath = "/.well-known/jwks.json";
    private const string FaultsPath = "/_dev/faults";
    private const string MailPath = "/_dev/mail";
    private const string SecretKeyItem = "DevAuth.SecretKey";

    private const string GatewayErrorPage =
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>devauth</center>\r\n</body>\r\n</html>\r\n";

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        await _issuer.Task.WaitAsync(context.RequestAborted);
        try
        {
            if (!hosts.Allows(context.Request.Host.Host))
            {
                DevAuthLog.HostRefused(logger, context.Request.Host.Host);
                await new DevAuthError(StatusCodes.Status421MisdirectedRequest, "validation_failed",
                    "Host header does not name this endpoint; use its address or localhost").ExecuteAsync(context);
                return;
            }

            var path = context.Request.Path;
            if (!path.Equals(Prefix + FaultsPath, StringComparison.Ordinal) && await ApplyFaultAsync(context) is { } fault)
            {
                await fault.ExecuteAsync(context);
                return;
            }

            if (!path.Equals(Prefix + JwksPath, StringComparison.Ordinal) && CheckApiKey(context) is { } rejected)
            {
                await rejected.ExecuteAsync(context);
                return;
            }

            await next(context);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
        {
            var errorId = Guid.NewGuid().ToString();
            DevAuthLog.Unexpected(logger, errorId, e);
            await DevAuthError.Unexpected("Unexpected failure, please check server logs for more information", errorId).ExecuteAsync(context);
        }
    }

    private async Task<IResult?> ApplyFaultAsync(HttpContext context)
    {
        var (mode, delay) = faults.Snapshot();
        switch (mode)
        {
            case DevAuthFaultMode.Delay:
                faults.OnDelaying();
                await Task.Delay(delay, context.RequestAborted);
                return null;
            case DevAuthFaultMode.ServerError:
                return DevAuthError.Unexpected("Injected failure (DevAuth fault)", Guid.NewGuid().ToString());
            case DevAuthFaultMode.GatewayError:
                return Results.Text(GatewayErrorPage, "text/html", Encoding.UTF8, StatusCodes.Status502BadGateway);
            case DevAuthFaultMode.RateLimited:
                return DevAuthError.RequestRateLimit();
            default:
                return null;
        }
    }

    /// <summary>The gateway's check (AUTH-CONTRACT.md §4): the anon or the secret key, as header or query parameter.</summary>
    private IResult? CheckApiKey(HttpContext context)
    {
        var key = context.Request.Headers["apikey"].ToString();
        if (key.Length == 0)
        {
            key = context.Request.Query["apikey"].ToString();
        }

        if (key.Length == 0)
        {
            return GatewayError("No API key found in request", "No `apikey` request header or url param was found.");
        }

        var secret = KeyEquals(key, options.SecretKey);
        if (!secret && !KeyEquals(key, options.AnonKey))
        {
            return GatewayError("Invalid API key", "Double check your API key.");
        }

        context.Items[SecretKeyItem] = secret;
        return null;
    }

    private static IResult GatewayError(string message, string hint) =>
        Json(new JsonObject { ["message"] = message, ["hint"] = hint }, StatusCodes.Status401Unauthorized);

    private static bool KeyEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));

    /// <summary>
    /// The rate-limit key: the first <c>Sb-Forwarded-For</c> value when the caller used the secret key and it is a
    /// valid IP (AUTH-CONTRACT.md §6), else the peer address.
    /// </summary>
    private static string ClientKey(HttpContext context)
    {
        if (context.Items[SecretKeyItem] is true)
        {
            var first = context.Request.Headers["Sb-Forwarded-For"].ToString().Split(',')[0].Trim();
            if (IPAddress.TryParse(first, out var forwarded))
            {
                return forwarded.ToString();
            }
        }

        return context.Connection.RemoteIpAddress?.ToString() ?? "";
    }

    /// <summary>GoTrue parses every body as JSON whatever the Content-Type; an empty body is <c>bad_json</c>.</summary>
    private static async Task<(T Value, DevAuthError? Error)> ReadJsonAsync<T>(HttpContext context)
        where T : class, new()
    {
        var request = context.Request;
        if (request.ContentLength > MaxBodyBytes)
        {
            return (new T(), TooLarge());
        }

        using var buffer = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (new T(), TooLarge());
        }

        if (buffer.Length == 0)
        {
            return (new T(), DevAuthError.BadJson("unexpected end of JSON input"));
        }

        try
        {
            return (JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), DevAuthJson.Options) ?? new T(), null);
        }
        catch (JsonException e)
        {
            return (new T(), DevAuthError.BadJson(e.Message));
        }
    }

    private static DevAuthError TooLarge() =>
        new(StatusCodes.Status413PayloadTooLarge, "request_entity_too_large", "Request body too large");
}

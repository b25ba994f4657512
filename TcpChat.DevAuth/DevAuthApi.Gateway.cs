using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace TcpChat.DevAuth;

/// <summary>
/// What sits in front of GoTrue on a hosted project: the <c>apikey</c> check (shape E errors),
/// and the catch-all that turns an unexpected exception into GoTrue's 500.
/// </summary>
internal sealed partial class DevAuthApi
{
    /// <summary>GoTrue's request body limit.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private const string JwksPath = "/.well-known/jwks.json";
    private const string MailPath = "/_dev/mail";
    private const string SecretKeyItem = "DevAuth.SecretKey";

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

            if (!context.Request.Path.Equals(Prefix + JwksPath, StringComparison.Ordinal) && CheckApiKey(context) is { } rejected)
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

    /// <summary>The gateway's check (docs/supabase-auth.md §4): the anon or the secret key, as header or query parameter.</summary>
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
    /// valid IP (docs/supabase-auth.md §6), else the peer address.
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

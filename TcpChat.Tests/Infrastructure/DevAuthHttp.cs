using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TcpChat.Tests.Infrastructure;

/// <summary>
/// The tests' one way to call the embedded endpoint's REST API: a client on the project root that sends an
/// <c>apikey</c>; paths are relative to <c>/auth/v1/</c> (a leading slash is allowed).
/// </summary>
internal sealed class DevAuthHttp(Uri root, string apiKey) : IDisposable
{
    public HttpClient Client { get; } = NewClient(root, apiKey);

    /// <summary>A client on <paramref name="root"/>; with no <paramref name="apiKey"/> it sends none (the gateway's own tests).</summary>
    public static HttpClient NewClient(Uri root, string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = root, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("apikey", apiKey);
        }

        return client;
    }

    /// <summary>One call; <paramref name="apiKeyOverride"/> replaces the client's key for this request only.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? bearer, CancellationToken ct, object? body = null, string? apiKeyOverride = null)
    {
        var request = new HttpRequestMessage(method, "auth/v1/" + path.TrimStart('/'));
        if (apiKeyOverride is not null)
        {
            request.Headers.Add("apikey", apiKeyOverride); // a request's own header wins over the client's default
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return Client.SendAsync(request, ct);
    }

    public Task<HttpResponseMessage> PostAsync(string path, object body, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, path, bearer: null, ct, body);

    /// <summary>A call whose answer is read whole: the status and the JSON body (<c>default</c> when empty).</summary>
    public async Task<(int Status, JsonElement Body)> CallAsync(HttpMethod method, string path, CancellationToken ct, object? body = null, string? bearer = null, string? apiKeyOverride = null)
    {
        using var response = await SendAsync(method, path, bearer, ct, body, apiKeyOverride);
        string text = await response.Content.ReadAsStringAsync(ct);
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return ((int)response.StatusCode, json);
    }

    public static async Task<JsonObject> ReadObjectAsync(HttpResponseMessage response, CancellationToken ct) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!.AsObject();

    public void Dispose() => Client.Dispose();
}

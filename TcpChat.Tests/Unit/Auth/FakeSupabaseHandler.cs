using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace TcpChat.Tests.Unit.Auth;

/// <summary>One request as the fake saw it: headers flattened (comma-joined), body read as text.</summary>
internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>A Supabase Auth stand-in at the HttpMessageHandler level: records every request and answers through <see cref="Responder"/>.</summary>
internal sealed class FakeSupabaseHandler : HttpMessageHandler
{
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage>> Responder { get; set; } =
        (_, _) => Task.FromResult(Json(500, """{"code":500,"error_code":"unexpected_failure","msg":"no responder"}"""));

    public void Respond(Func<RecordedRequest, HttpResponseMessage> responder) => Responder = (request, _) => Task.FromResult(responder(request));

    public RecordedRequest[] Calls(string pathSuffix) => [.. Requests.Where(r => r.Uri.AbsolutePath.EndsWith(pathSuffix, StringComparison.Ordinal))];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = string.Join(",", values);
        }

        string? body = null;
        if (request.Content is not null)
        {
            foreach (var (name, values) in request.Content.Headers)
            {
                headers[name] = string.Join(",", values);
            }

            body = await request.Content.ReadAsStringAsync(cancellationToken);
        }

        var recorded = new RecordedRequest(request.Method, request.RequestUri!, headers, body);
        Requests.Enqueue(recorded);
        var response = await Responder(recorded, cancellationToken);
        response.RequestMessage = request;
        return response;
    }

    public static HttpResponseMessage Json(int status, string json, string? errorCodeHeader = null)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (errorCodeHeader is not null)
        {
            response.Headers.TryAddWithoutValidation("x-sb-error-code", errorCodeHeader);
        }

        return response;
    }

    public static HttpResponseMessage Text(int status, string text, string mediaType = "text/html") =>
        new((HttpStatusCode)status) { Content = new StringContent(text, Encoding.UTF8, mediaType) };

    /// <summary>A GoTrue error in shape A with the header, as hosted GoTrue sends it.</summary>
    public static HttpResponseMessage Error(int status, string errorCode, string msg = "error") =>
        Json(status, $$"""{"code":{{status}},"error_code":"{{errorCode}}","msg":"{{msg}}"}""", errorCode);
}

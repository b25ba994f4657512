using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace TcpChat.Bench.Net;

/// <summary>The embedded endpoint's REST API (Supabase Auth shape): creates users and fetches access tokens.</summary>
internal sealed class DevAuthClient(Uri baseUri, string apiKey) : IDisposable
{
    private readonly HttpClient _http = CreateClient(baseUri, apiKey);

    public async Task SignUpAsync(string email, string password, CancellationToken cancellationToken)
    {
        using var response = await PostAsync("auth/v1/signup", email, password, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            // A user left by an earlier run against the same data file is fine.
            if (!body.Contains("user_already_exists", StringComparison.Ordinal))
            {
                throw new BenchException($"signup {email}: HTTP {(int)response.StatusCode} {body}");
            }
        }
    }

    public async Task<string> GetAccessTokenAsync(string email, string password, CancellationToken cancellationToken)
    {
        using var response = await PostAsync("auth/v1/token?grant_type=password", email, password, cancellationToken).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new BenchException($"token {email}: HTTP {(int)response.StatusCode} {body}");
        }

        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("access_token").GetString() ?? throw new BenchException("token response without access_token");
    }

    public void Dispose() => _http.Dispose();

    private Task<HttpResponseMessage> PostAsync(string path, string email, string password, CancellationToken cancellationToken)
    {
        // Emails and passwords are made by the bench (letters, digits, '@', '.'), so no escaping is needed.
        var content = new StringContent($"{{\"email\":\"{email}\",\"password\":\"{password}\"}}", Encoding.UTF8, "application/json");
        return _http.PostAsync(new Uri(path, UriKind.Relative), content, cancellationToken);
    }

    private static HttpClient CreateClient(Uri baseUri, string apiKey)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
        {
            BaseAddress = new Uri(baseUri.ToString().TrimEnd('/') + "/"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        http.DefaultRequestHeaders.Add("apikey", apiKey);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return http;
    }
}

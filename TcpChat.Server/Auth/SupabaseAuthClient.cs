using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace TcpChat.Server.Auth;

/// <summary>
/// A typed <see cref="HttpClient"/> for Supabase Auth (docs/supabase-auth.md §3), with the method names of
/// Supabase.Gotrue's <c>Api</c>. Stateless and thread-safe. Every failure is a <see cref="GotrueException"/>
/// (status 0 when no answer came); only the caller's own cancellation escapes as <see cref="OperationCanceledException"/>.
/// Headers (§4, §6): <c>apikey</c> on every call; <c>Authorization</c> only on <c>/signup</c> (the apikey) and on
/// <c>/user</c>, <c>/logout</c> (the user's access token); <c>Sb-Forwarded-For</c> only when
/// <see cref="SupabaseOptions.ForwardClientIp"/> is on.
/// </summary>
internal sealed class SupabaseAuthClient
{
    /// <summary>The IHttpClientFactory name of this client; tests use it to swap the primary handler.</summary>
    public const string HttpClientName = nameof(SupabaseAuthClient);

    public const string ClientInfo = "tcpchat/1.0";

    /// <summary>
    /// Set on requests with side effects beyond a session (a mail sent, a code or challenge used up, a password or
    /// factor changed): the resilience pipeline does not retry them after the request may have reached GoTrue (500,
    /// per-attempt timeout), where a repeat would answer differently.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> SendsMail = new("TcpChat.SendsMail");

    /// <summary>How many times the resilience pipeline retried the request, for the one log line of a failed call.</summary>
    public static readonly HttpRequestOptionsKey<int> Retries = new("TcpChat.Retries");

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private readonly HttpClient _http;
    private readonly SupabaseEndpoint _endpoint;
    private readonly bool _forwardClientIp;

    public SupabaseAuthClient(HttpClient http, SupabaseEndpoint endpoint, IOptions<SupabaseOptions> options)
    {
        _http = http;
        _endpoint = endpoint;
        var value = options.Value;
        _forwardClientIp = value.ForwardClientIp;

        // Idempotent: makes a configured project work even when someone else registered the endpoint.
        value.ApplyTo(endpoint);
    }

    /// <summary><c>POST /token?grant_type=password</c>.</summary>
    public async Task<Session> SignInWithEmailAsync(string email, string password, IPAddress? forwardedFor, CancellationToken cancellationToken)
    {
        var body = new EmailPasswordRequest(email, password);
        using var request = await CreateAsync(HttpMethod.Post, "/token?grant_type=password", forwardedFor, cancellationToken);
        request.Content = Json(body, AuthJsonContext.Default.EmailPasswordRequest);
        var session = await SendAsync("sign-in", request, AuthJsonContext.Default.Session, cancellationToken);
        return RequireTokens("sign-in", session);
    }

    /// <summary>
    /// <c>POST /signup</c>. Either shape, like Supabase.Gotrue: a full session (auto-confirm), or a session whose
    /// <see cref="Session.AccessToken"/> is null and whose <see cref="Session.User"/> is set (confirmation required,
    /// or an obfuscated user with no identities when the email is already registered).
    /// </summary>
    public async Task<Session> SignUpWithEmailAsync(string email, string password, IPAddress? forwardedFor, CancellationToken cancellationToken)
    {
        var body = new EmailPasswordRequest(email, password);
        using var request = await CreateAsync(HttpMethod.Post, "/signup", forwardedFor, cancellationToken);
        request.Content = Json(body, AuthJsonContext.Default.EmailPasswordRequest);
        request.Options.Set(SendsMail, true);

        // §4: a publishable/secret key may only appear in Authorization when it equals apikey exactly.
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", request.Headers.GetValues("apikey").First());
        using var response = await SendCoreAsync("sign-up", request, cancellationToken);
        var content = await ReadSuccessAsync("sign-up", response, cancellationToken);
        try
        {
            var session = JsonSerializer.Deserialize(content, AuthJsonContext.Default.Session);
            if (session?.AccessToken is { Length: > 0 })
            {
                return session;
            }

            var user = JsonSerializer.Deserialize(content, AuthJsonContext.Default.User);
            if (user?.Id is null)
            {
                throw GotrueException.BadAnswer("sign-up", (int)response.StatusCode, content);
            }

            return new Session { User = user };
        }
        catch (JsonException e)
        {
            throw GotrueException.BadAnswer("sign-up", (int)response.StatusCode, content, e);
        }
    }

    /// <summary><c>POST /recover</c>: true once Supabase accepted the request (it answers the same for unknown emails).</summary>
    public async Task<bool> ResetPasswordForEmailAsync(string email, IPAddress? forwardedFor, CancellationToken cancellationToken)
    {
        using var request = await CreateAsync(HttpMethod.Post, "/recover", forwardedFor, cancellationToken);
        request.Content = Json(new EmailRequest(email), AuthJsonContext.Default.EmailRequest);
        request.Options.Set(SendsMail, true);
        using var response = await SendCoreAsync("recover", request, cancellationToken);
        await ReadSuccessAsync("recover", response, cancellationToken);
        return true;
    }

    /// <summary><c>GET /user</c> with the access token: the server-side check that a token is still live.</summary>
    public async Task<User> GetUserAsync(string jwt, CancellationToken cancellationToken)
    {
        using var request = await CreateAsync(HttpMethod.Get, "/user", null, cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        var user = await SendAsync("get-user", request, AuthJsonContext.Default.User, cancellationToken);
        return user.Id is null ? throw GotrueException.BadAnswer("get-user", 200, null) : user;
    }

    /// <summary><c>POST /token?grant_type=refresh_token</c>: a new session (with a new refresh token when rotation is on).</summary>
    public async Task<Session> RefreshAccessTokenAsync(string refreshToken, CancellationToken cancellationToken)
    {
        using var request = await CreateAsync(HttpMethod.Post, "/token?grant_type=refresh_token", null, cancellationToken);
        request.Content = Json(new RefreshTokenRequest(refreshToken), AuthJsonContext.Default.RefreshTokenRequest);
        var session = await SendAsync("refresh", request, AuthJsonContext.Default.Session, cancellationToken);
        return RequireTokens("refresh", session);
    }

    /// <summary><c>POST /logout?scope=…</c> with the access token (204).</summary>
    public async Task SignOutAsync(string jwt, SignOutScope scope, CancellationToken cancellationToken)
    {
        var path = scope switch
        {
            SignOutScope.Local => "/logout?scope=local",
            SignOutScope.Others => "/logout?scope=others",
            _ => "/logout?scope=global",
        };
        using var request = await CreateAsync(HttpMethod.Post, path, null, cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        using var response = await SendCoreAsync("sign-out", request, cancellationToken);
        await ReadSuccessAsync("sign-out", response, cancellationToken);
    }

    /// <summary>
    /// <c>POST /verify</c> with the code from a signup, recovery or magic-link mail: a session (a recovery session
    /// lets <see cref="UpdateUserAsync"/> set a new password).
    /// </summary>
    public async Task<Session> VerifyEmailOtpAsync(string email, string token, EmailOtpType type, IPAddress? forwardedFor, CancellationToken cancellationToken)
    {
        var body = new VerifyOtpRequest(OtpTypeName(type), email, token);
        using var request = await CreateAsync(HttpMethod.Post, "/verify", forwardedFor, cancellationToken);
        request.Content = Json(body, AuthJsonContext.Default.VerifyOtpRequest);
        request.Options.Set(SendsMail, true);
        var session = await SendAsync("verify", request, AuthJsonContext.Default.Session, cancellationToken);
        return RequireTokens("verify", session);
    }

    /// <summary><c>PUT /user</c> with the access token: changes email, password (with the reauthentication nonce when required) or metadata.</summary>
    public async Task<User> UpdateUserAsync(string jwt, UserAttributes attributes, CancellationToken cancellationToken)
    {
        using var request = await CreateAsync(HttpMethod.Put, "/user", null, cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        request.Content = Json(attributes, AuthJsonContext.Default.UserAttributes);
        request.Options.Set(SendsMail, true);
        var user = await SendAsync("update-user", request, AuthJsonContext.Default.User, cancellationToken);
        return user.Id is null ? throw GotrueException.BadAnswer("update-user", 200, null) : user;
    }

    /// <summary><c>GET /reauthenticate</c> with the access token: mails the user a code to pass as <see cref="UserAttributes.Nonce"/>.</summary>
    public async Task ReauthenticateAsync(string jwt, CancellationToken cancellationToken)
    {
        using var request = await CreateAsync(HttpMethod.Get, "/reauthenticate", null, cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        request.Options.Set(SendsMail, true);
        using var response = await SendCoreAsync("reauthenticate", request, cancellationToken);
        await ReadSuccessAsync("reauthenticate", response, cancellationToken);
    }

    /// <summary>
    /// <c>POST /signup</c> with neither email nor phone: a session for a new anonymous user (<c>is_anonymous</c>).
    /// 422 <c>anonymous_provider_disabled</c> when the project has anonymous sign-ins off.
    /// </summary>
    public async Task<Session> SignInAnonymouslyAsync(IPAddress? forwardedFor, CancellationToken cancellationToken)
    {
        using var request = await CreateAsync(HttpMethod.Post, "/signup", forwardedFor, cancellationToken);
        request.Content = Json(new AnonymousSignUpRequest(null), AuthJsonContext.Default.AnonymousSignUpRequest);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", request.Headers.GetValues("apikey").First());
        var session = await SendAsync("sign-in-anonymously", request, AuthJsonContext.Default.Session, cancellationToken);
        return RequireTokens("sign-in-anonymously", session);
    }

    /// <summary><c>POST /factors</c> (TOTP): a new unverified factor and its secret; it counts once verified.</summary>
    public async Task<EnrollFactorResponse> EnrollTotpFactorAsync(string jwt, string? friendlyName, string? issuer, CancellationToken cancellationToken)
    {
        using var request = await CreateAsync(HttpMethod.Post, "/factors", null, cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        request.Content = Json(new EnrollFactorRequest("totp", friendlyName, issuer), AuthJsonContext.Default.EnrollFactorRequest);
        request.Options.Set(SendsMail, true);
        var factor = await SendAsync("mfa-enroll", request, AuthJsonContext.Default.EnrollFactorResponse, cancellationToken);
        return factor.Id is null ? throw GotrueException.BadAnswer("mfa-enroll", 200, null) : factor;
    }

    /// <summary><c>POST /factors/{id}/challenge</c>: a challenge to answer with <see cref="VerifyFactorAsync"/> before it expires.</summary>
    public async Task<ChallengeResponse> ChallengeFactorAsync(string jwt, string factorId, CancellationToken cancellationToken)
    {
        using var request = await CreateAsync(HttpMethod.Post, FactorPath(factorId, "/challenge"), null, cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        request.Content = Json(new JsonObjectRequest(), AuthJsonContext.Default.JsonObjectRequest);
        var challenge = await SendAsync("mfa-challenge", request, AuthJsonContext.Default.ChallengeResponse, cancellationToken);
        return challenge.Id is null ? throw GotrueException.BadAnswer("mfa-challenge", 200, null) : challenge;
    }

    /// <summary>
    /// <c>POST /factors/{id}/verify</c> with the code of the authenticator app: the same session raised to
    /// <c>aal2</c>, with a new access and refresh token. A wrong code is 422 <c>mfa_verification_failed</c>.
    /// </summary>
    public async Task<Session> VerifyFactorAsync(string jwt, string factorId, string challengeId, string code, CancellationToken cancellationToken)
    {
        using var request = await CreateAsync(HttpMethod.Post, FactorPath(factorId, "/verify"), null, cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        request.Content = Json(new VerifyFactorRequest(challengeId, code), AuthJsonContext.Default.VerifyFactorRequest);
        request.Options.Set(SendsMail, true);
        var session = await SendAsync("mfa-verify", request, AuthJsonContext.Default.Session, cancellationToken);
        return RequireTokens("mfa-verify", session);
    }

    /// <summary><c>DELETE /factors/{id}</c>: removing a verified factor needs an <c>aal2</c> token.</summary>
    public async Task<UnenrollResponse> UnenrollFactorAsync(string jwt, string factorId, CancellationToken cancellationToken)
    {
        using var request = await CreateAsync(HttpMethod.Delete, FactorPath(factorId, ""), null, cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        return await SendAsync("mfa-unenroll", request, AuthJsonContext.Default.UnenrollResponse, cancellationToken);
    }

    /// <summary><c>GET /settings</c>.</summary>
    public async Task<Settings> SettingsAsync(CancellationToken cancellationToken)
    {
        using var request = await CreateAsync(HttpMethod.Get, "/settings", null, cancellationToken);
        return await SendAsync("settings", request, AuthJsonContext.Default.Settings, cancellationToken);
    }

    /// <summary><c>GET /.well-known/jwks.json</c>: the JSON text of the key set.</summary>
    public async Task<string> GetJwksAsync(CancellationToken cancellationToken)
    {
        using var request = await CreateAsync(HttpMethod.Get, "/.well-known/jwks.json", null, cancellationToken);
        using var response = await SendCoreAsync("jwks", request, cancellationToken);
        var content = await ReadSuccessAsync("jwks", response, cancellationToken);
        if (!GotrueException.IsJson(response.Content.Headers.ContentType))
        {
            throw GotrueException.BadAnswer("jwks", (int)response.StatusCode, content);
        }

        return content;
    }

    private async Task<HttpRequestMessage> CreateAsync(HttpMethod method, string path, IPAddress? forwardedFor, CancellationToken cancellationToken)
    {
        var target = await _endpoint.GetAsync(cancellationToken);
        var request = new HttpRequestMessage(method, new Uri(target.AuthBase + path, UriKind.Absolute));
        request.Headers.TryAddWithoutValidation("apikey", target.ApiKey);
        if (_forwardClientIp && forwardedFor is not null)
        {
            request.Headers.TryAddWithoutValidation("Sb-Forwarded-For", (forwardedFor.IsIPv4MappedToIPv6 ? forwardedFor.MapToIPv4() : forwardedFor).ToString());
        }

        return request;
    }

    private static ByteArrayContent Json<T>(T body, JsonTypeInfo<T> typeInfo)
    {
        // Bytes, not a streamed JsonContent: a Content-Length, and safe to send again on a retry.
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, typeInfo));
        content.Headers.ContentType = JsonMediaType;
        return content;
    }

    private static string OtpTypeName(EmailOtpType type) => type switch
    {
        EmailOtpType.Signup => "signup",
        EmailOtpType.Recovery => "recovery",
        EmailOtpType.MagicLink => "magiclink",
        _ => "email",
    };

    private static string FactorPath(string factorId, string suffix) => "/factors/" + Uri.EscapeDataString(factorId) + suffix;

    private static Session RequireTokens(string operation, Session session) =>
        session.AccessToken is { Length: > 0 } ? session : throw GotrueException.BadAnswer(operation, 200, null);

    private async Task<T> SendAsync<T>(string operation, HttpRequestMessage request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        using var response = await SendCoreAsync(operation, request, cancellationToken);
        var content = await ReadSuccessAsync(operation, response, cancellationToken);
        if (!GotrueException.IsJson(response.Content.Headers.ContentType))
        {
            throw GotrueException.BadAnswer(operation, (int)response.StatusCode, content);
        }

        try
        {
            return JsonSerializer.Deserialize(content, typeInfo) ?? throw GotrueException.BadAnswer(operation, (int)response.StatusCode, content);
        }
        catch (JsonException e)
        {
            throw GotrueException.BadAnswer(operation, (int)response.StatusCode, content, e);
        }
    }

    private async Task<HttpResponseMessage> SendCoreAsync(string operation, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string endpoint = $"{request.Method} {request.RequestUri?.GetLeftPart(UriPartial.Path)}";
        int Attempts() => 1 + (request.Options.TryGetValue(Retries, out int retries) ? retries : 0);
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (TimeoutRejectedException e)
        {
            throw GotrueException.Offline(operation, endpoint, Attempts(), e, timedOut: true);
        }
        catch (HttpRequestException e)
        {
            throw GotrueException.Offline(operation, endpoint, Attempts(), e, timedOut: false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout (a backstop behind the resilience pipeline's own timeout).
            throw GotrueException.Offline(operation, endpoint, Attempts(), e, timedOut: true);
        }
    }

    /// <summary>Reads the (already buffered) body; throws the parsed error for a non-2xx answer.</summary>
    private static async Task<string> ReadSuccessAsync(string operation, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var content = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return content;
        }

        var header = response.Headers.TryGetValues("x-sb-error-code", out var values) ? values.FirstOrDefault() : null;
        throw GotrueException.FromResponse(operation, (int)response.StatusCode, header, response.Content.Headers.ContentType, content);
    }
}

using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TcpChat.Server.Auth;

/// <summary>How a <c>TOKEN</c> check came out.</summary>
internal enum TokenCheckStatus
{
    /// <summary>Signature, <c>exp</c>, <c>iss</c>, <c>aud</c> and <c>role</c> are good.</summary>
    Valid,

    /// <summary>Malformed, expired, foreign, wrong algorithm or key.</summary>
    Invalid,

    /// <summary>Neither a JWKS key nor <c>Supabase:JwtSecret</c>: only <c>GET /user</c> can tell.</summary>
    NoKeys,
}

/// <summary>The outcome of <see cref="AccessTokenValidator.ValidateAsync"/>; the claims are set when <see cref="Status"/> is Valid.</summary>
internal readonly record struct TokenCheck(TokenCheckStatus Status, string? UserId, string? Email, DateTimeOffset ExpiresAt, string? Failure)
{
    public static TokenCheck Invalid(string failure) => new(TokenCheckStatus.Invalid, null, null, default, failure);
}

/// <summary>
/// Verifies Supabase access tokens locally (docs/supabase-auth.md §5): ES256/RS256 with the project's JWKS
/// (<c>{AuthBase}/.well-known/jwks.json</c>, cached ≤ 10 min, refetched on an unknown <c>kid</c> at most every 30 s,
/// one fetch shared by all callers; the last good set is kept if a refresh fails), or HS256 with
/// <c>Supabase:JwtSecret</c>. Checks signature, <c>exp</c> (30 s skew), <c>iss</c> = AuthBase,
/// <c>aud</c> = <c>role</c> = <c>authenticated</c>; never <c>alg: none</c>.
/// Built for throughput: one handler, and one immutable <see cref="TokenValidationParameters"/> per key set.
/// </summary>
internal sealed class AccessTokenValidator
{
    public const string Authenticated = "authenticated";

    /// <summary>DOCS jwts.mdx: do not cache keys longer than about 10 minutes.</summary>
    public static readonly TimeSpan KeyCacheLifetime = TimeSpan.FromMinutes(10);

    /// <summary>The least time between two JWKS fetches that are not due to expiry (unknown kid, failed refresh).</summary>
    public static readonly TimeSpan RefetchInterval = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private const int MaxTokenLength = 16 * 1024;
    private static readonly string[] AsymmetricAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256];
    private static readonly string[] SymmetricAlgorithms = [SecurityAlgorithms.HmacSha256];

    private const int MaxVerified = 4096;

    // Tokens already verified, so a client reconnecting with the same token is not verified again (an ES256 check
    // costs ~60 µs). Keyed by the whole token; an entry counts until the token's exp and never longer than the key
    // cache, so it is never staler than the keys it was checked with.
    private readonly ConcurrentDictionary<string, (TokenCheck Check, DateTimeOffset Until)> _verified = new(StringComparer.Ordinal);
    private readonly JsonWebTokenHandler _handler = new();
    private readonly SupabaseAuthClient _client;
    private readonly SupabaseEndpoint _endpoint;
    private readonly TimeProvider _time;
    private readonly ILogger<AccessTokenValidator> _logger;
    private readonly SymmetricSecurityKey? _secret;
    private readonly Lock _lock = new();

    private volatile KeySet? _keys;
    private volatile TokenValidationParameters? _symmetric;
    private Task<KeySet>? _fetch;
    private DateTimeOffset _lastFetchStarted = DateTimeOffset.MinValue;
    private int _jwksFetches;

    public AccessTokenValidator(SupabaseAuthClient client, SupabaseEndpoint endpoint, IOptions<SupabaseOptions> options, TimeProvider time, ILogger<AccessTokenValidator> logger)
    {
        _client = client;
        _endpoint = endpoint;
        _time = time;
        _logger = logger;
        if (options.Value.JwtSecret is { Length: > 0 } secret)
        {
            // GoTrue signs with the secret's bytes as they are (not base64-decoded).
            _secret = new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(secret));
        }
    }

    /// <summary>Number of JWKS fetches started (for tests and metrics).</summary>
    public int JwksFetches => Volatile.Read(ref _jwksFetches);

    /// <summary>
    /// Checks <paramref name="token"/>. Throws <see cref="GotrueException"/> only when the JWKS is needed and
    /// could never be fetched (Supabase unavailable).
    /// </summary>
    public async ValueTask<TokenCheck> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_verified.TryGetValue(token, out var hit))
        {
            if (now < hit.Until)
            {
                return hit.Check;
            }

            _verified.TryRemove(token, out _);
        }

        var check = await ValidateUncachedAsync(token, cancellationToken);
        if (check.Status == TokenCheckStatus.Valid)
        {
            if (_verified.Count >= MaxVerified)
            {
                _verified.Clear(); // crude but bounded; a reconnect storm refills it with the tokens in use
            }

            var until = now + KeyCacheLifetime;
            _verified[token] = (check, check.ExpiresAt < until ? check.ExpiresAt : until);
        }

        return check;
    }

    private async ValueTask<TokenCheck> ValidateUncachedAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length is 0 or > MaxTokenLength)
        {
            return TokenCheck.Invalid("length");
        }

        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return TokenCheck.Invalid("malformed");
        }

        TokenValidationParameters parameters;
        switch (jwt.Alg)
        {
            case SecurityAlgorithms.HmacSha256 when _secret is not null:
                parameters = _symmetric ?? await CreateSymmetricParametersAsync(cancellationToken);
                break;
            case SecurityAlgorithms.HmacSha256 or SecurityAlgorithms.EcdsaSha256 or SecurityAlgorithms.RsaSha256:
                var keys = await GetKeysAsync(unknownKid: false, cancellationToken);
                if (keys.IsEmpty && _secret is null)
                {
                    return new TokenCheck(TokenCheckStatus.NoKeys, null, null, default, "no keys");
                }

                if (jwt.Alg == SecurityAlgorithms.HmacSha256)
                {
                    return TokenCheck.Invalid("HS256 without Supabase:JwtSecret");
                }

                if (!string.IsNullOrEmpty(jwt.Kid) && !keys.Kids.Contains(jwt.Kid))
                {
                    keys = await GetKeysAsync(unknownKid: true, cancellationToken);
                    if (!keys.Kids.Contains(jwt.Kid))
                    {
                        return TokenCheck.Invalid("unknown kid");
                    }
                }

                parameters = keys.Parameters;
                break;
            default:
                return TokenCheck.Invalid("algorithm");
        }

        var result = await _handler.ValidateTokenAsync(jwt, parameters);
        if (!result.IsValid)
        {
            return TokenCheck.Invalid(result.Exception?.GetType().Name ?? "invalid");
        }

        if (!jwt.TryGetPayloadValue<string>("role", out var role) || role != Authenticated)
        {
            return TokenCheck.Invalid("role");
        }

        if (string.IsNullOrEmpty(jwt.Subject))
        {
            return TokenCheck.Invalid("sub");
        }

        jwt.TryGetPayloadValue<string>("email", out var email);
        return new TokenCheck(TokenCheckStatus.Valid, jwt.Subject, email ?? string.Empty, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), null);
    }

    private async ValueTask<TokenValidationParameters> CreateSymmetricParametersAsync(CancellationToken cancellationToken)
    {
        var target = await _endpoint.GetAsync(cancellationToken);
        var parameters = CreateParameters(target.AuthBase, [_secret!], SymmetricAlgorithms);
        _symmetric = parameters;
        return parameters;
    }

    private static TokenValidationParameters CreateParameters(string issuer, IList<SecurityKey> keys, string[] algorithms) => new()
    {
        ValidIssuer = issuer,
        ValidAudience = Authenticated,
        ValidAlgorithms = algorithms,
        IssuerSigningKeys = keys,
        ClockSkew = ClockSkew,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
    };

    private async ValueTask<KeySet> GetKeysAsync(bool unknownKid, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var keys = _keys;
        if (!unknownKid && keys is not null && now - keys.FetchedAt < KeyCacheLifetime)
        {
            return keys;
        }

        Task<KeySet> fetch;
        lock (_lock)
        {
            if (_fetch is { IsCompleted: false })
            {
                fetch = _fetch;
            }
            else
            {
                keys = _keys;
                if (keys is not null && now - _lastFetchStarted < RefetchInterval)
                {
                    // Throttled: an unknown kid (or a failed refresh) refetches at most every RefetchInterval.
                    return keys;
                }

                _lastFetchStarted = now;
                fetch = _fetch = FetchAsync(keys);
            }
        }

        return await fetch.WaitAsync(cancellationToken);
    }

    /// <summary>One fetch shared by every waiter, so it does not take any caller's cancellation (the client's timeout bounds it).</summary>
    private async Task<KeySet> FetchAsync(KeySet? previous)
    {
        Interlocked.Increment(ref _jwksFetches);
        try
        {
            var json = await _client.GetJwksAsync(CancellationToken.None);
            var target = await _endpoint.GetAsync(CancellationToken.None);
            var keys = Parse(json, target.AuthBase);
            _keys = keys;
            AuthLog.JwksRefreshed(_logger, target.AuthBase, keys.Kids.Count);
            return keys;
        }
        catch (GotrueException e) when (previous is not null)
        {
            AuthLog.JwksRefreshFailed(_logger, e.StatusCode, e);
            return previous;
        }
    }

    private KeySet Parse(string json, string issuer)
    {
        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(json);
        }
        catch (ArgumentException e)
        {
            throw GotrueException.BadAnswer("jwks", 200, json, e);
        }

        // Only verification keys of the accepted algorithms (EdDSA and HMAC entries are skipped).
        for (int i = set.Keys.Count - 1; i >= 0; i--)
        {
            var key = set.Keys[i];
            bool typeOk = key.Kty switch
            {
                JsonWebAlgorithmsKeyTypes.EllipticCurve => key.Crv == JsonWebKeyECTypes.P256 && key.Alg is null or SecurityAlgorithms.EcdsaSha256,
                JsonWebAlgorithmsKeyTypes.RSA => key.Alg is null or SecurityAlgorithms.RsaSha256,
                _ => false,
            };
            bool useOk = (key.Use is null or JsonWebKeyUseNames.Sig) && (key.KeyOps.Count == 0 || key.KeyOps.Contains("verify"));
            if (!typeOk || !useOk)
            {
                set.Keys.RemoveAt(i);
            }
        }

        var signingKeys = set.GetSigningKeys();
        var kids = signingKeys.Where(k => !string.IsNullOrEmpty(k.KeyId)).Select(k => k.KeyId).ToFrozenSet(StringComparer.Ordinal);
        return new KeySet(CreateParameters(issuer, signingKeys, AsymmetricAlgorithms), kids, signingKeys.Count == 0, _time.GetUtcNow());
    }

    /// <summary>An immutable snapshot: validation parameters built once per fetch.</summary>
    private sealed record KeySet(TokenValidationParameters Parameters, FrozenSet<string> Kids, bool IsEmpty, DateTimeOffset FetchedAt);
}

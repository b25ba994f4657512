using System.Threading.RateLimiting;

namespace TcpChat.DevAuth;

/// <summary>
/// GoTrue's per-client token buckets (AUTH-CONTRACT.md §6): N requests per 5 minutes refilled evenly, burst 30.
/// <c>/token</c> (both grants) has one bucket; <c>/signup</c> and <c>/recover</c> each have their own OTP bucket.
/// A limit of 0 turns the bucket off, like self-hosted GoTrue without <c>RATE_LIMIT_HEADER</c>.
/// </summary>
internal sealed class DevAuthRateLimits : IDisposable
{
    private const int Burst = 30;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    public DevAuthRateLimits(DevAuthOptions options)
    {
        Token = Create(options.TokenRateLimit);
        Signup = Create(options.OtpRateLimit);
        Recover = Create(options.OtpRateLimit);
    }

    public PartitionedRateLimiter<string>? Token { get; }

    public PartitionedRateLimiter<string>? Signup { get; }

    public PartitionedRateLimiter<string>? Recover { get; }

    /// <summary>True when the request may proceed (always, when the bucket is off).</summary>
    public static bool TryAcquire(PartitionedRateLimiter<string>? limiter, string clientKey)
    {
        if (limiter is null)
        {
            return true;
        }

        using var lease = limiter.AttemptAcquire(clientKey);
        return lease.IsAcquired;
    }

    public void Dispose()
    {
        Token?.Dispose();
        Signup?.Dispose();
        Recover?.Dispose();
    }

    private static PartitionedRateLimiter<string>? Create(int perWindow) =>
        perWindow <= 0
            ? null
            : PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ =>
                new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Burst,
                    TokensPerPeriod = 1,
                    ReplenishmentPeriod = Window / perWindow,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
}

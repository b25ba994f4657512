using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace TcpChat.Server.Auth;

/// <summary>
/// Guards the one Supabase rate-limit bucket all logins share (docs/supabase-auth.md §6): a token bucket per client
/// address (IPv6 grouped by /64, IPv4-mapped addresses as IPv4), so one abusive client cannot lock everyone out,
/// and a cap on concurrent Supabase calls with a queue as long as the cap.
/// </summary>
internal sealed class LoginThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress>? _perAddress;
    private readonly ConcurrencyLimiter _calls;

    public LoginThrottle(IOptions<SupabaseOptions> options)
    {
        var value = options.Value;
        if (value.LoginsPerMinutePerAddress > 0)
        {
            var period = TimeSpan.FromMinutes(1) / value.LoginsPerMinutePerAddress;
            var bucket = new TokenBucketRateLimiterOptions
            {
                TokenLimit = value.LoginBurstPerAddress,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = period,
                QueueLimit = 0,
                AutoReplenishment = true,
            };
            _perAddress = PartitionedRateLimiter.Create<IPAddress, IPAddress>(
                address => RateLimitPartition.GetTokenBucketLimiter(Normalize(address), _ => bucket));
        }

        _calls = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = value.MaxConcurrentCalls,
            QueueLimit = value.MaxConcurrentCalls,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>Takes one login from <paramref name="client"/>'s bucket; false when it is empty.</summary>
    public bool TryAcquireLogin(IPAddress client)
    {
        if (_perAddress is null)
        {
            return true;
        }

        using var lease = _perAddress.AttemptAcquire(client);
        return lease.IsAcquired;
    }

    /// <summary>
    /// Waits for a slot to call Supabase; the lease is not acquired when the queue is full. Dispose the lease when
    /// the call is done. Each call is bounded by <see cref="SupabaseOptions.Timeout"/>, so a queued wait is too.
    /// </summary>
    public ValueTask<RateLimitLease> AcquireCallAsync(CancellationToken cancellationToken) => _calls.AcquireAsync(1, cancellationToken);

    /// <summary>The partition key: IPv4-mapped IPv6 as IPv4, and IPv6 by its /64 (one subscriber's usual allocation).</summary>
    internal static IPAddress Normalize(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }

    public void Dispose()
    {
        _perAddress?.Dispose();
        _calls.Dispose();
    }
}

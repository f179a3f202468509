using System.Threading.RateLimiting;
using Concord.Errors;
using Microsoft.Extensions.Options;

namespace Concord.Server.RateLimiting;

/// <summary>
/// The token buckets of <see cref="RateLimitOptions"/>, partitioned by user and by tenant with
/// System.Threading.RateLimiting. A request must get a token from both; it never waits for one.
/// </summary>
internal sealed class RequestRateLimiter : IDisposable
{
    /// <summary>Buckets refill this often, a tenth of the rate each time, so that the wait a refusal names is short and true.</summary>
    private static readonly TimeSpan Refill = TimeSpan.FromMilliseconds(100);

    private readonly PartitionedRateLimiter<string>? _users;
    private readonly PartitionedRateLimiter<string>? _tenants;

    public RequestRateLimiter(IOptions<ConcordServerOptions> options)
    {
        RateLimitOptions limits = options.Value.RateLimits;
        _users = Buckets(limits.UserRequestsPerSecond, limits.UserBurst);
        _tenants = Buckets(limits.TenantRequestsPerSecond, limits.TenantBurst);
    }

    /// <summary>Takes a token for <paramref name="caller"/> in <paramref name="tenant"/>, or says how long to wait.</summary>
    /// <returns>Null when the request may go on; otherwise the <c>SYNC:RATE_LIMITED</c> error to answer.</returns>
    public SyncError? TryAcquire(string caller, string tenant) => TryAcquireUser(caller) ?? TryAcquireTenant(tenant);

    /// <summary>Takes a token for <paramref name="caller"/> alone: checked before anything costly is done for the request.</summary>
    public SyncError? TryAcquireUser(string caller) => Refusal(Wait(_users, caller));

    /// <summary>Takes a token for <paramref name="tenant"/>, once the caller is known to belong there.</summary>
    public SyncError? TryAcquireTenant(string tenant) => Refusal(Wait(_tenants, tenant));

    private static SyncError? Refusal(TimeSpan? wait)
    {
        if (wait is not { } retryAfter)
        {
            return null;
        }

        long ms = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalMilliseconds));
        return SyncError.Create(
            SyncErrorCodes.RateLimited,
            $"Too many requests; retry in {ms} ms.",
            new Dictionary<string, object> { ["retryAfterMs"] = ms });
    }

    public void Dispose()
    {
        _users?.Dispose();
        _tenants?.Dispose();
    }

    private static TimeSpan? Wait(PartitionedRateLimiter<string>? limiter, string key)
    {
        if (limiter is null)
        {
            return null;
        }

        using RateLimitLease lease = limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter) ? retryAfter : Refill;
    }

    private static PartitionedRateLimiter<string>? Buckets(int? perSecond, int burst) => perSecond is not { } rate
        ? null
        : PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = Math.Max(1, rate / 10),
            ReplenishmentPeriod = Refill,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
}

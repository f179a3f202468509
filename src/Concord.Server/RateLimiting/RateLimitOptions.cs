namespace Concord.Server.RateLimiting;

/// <summary>
/// How many requests (HTTP requests and WebSocket messages alike) a user, and a tenant, may make: a token bucket
/// each, refilled steadily, holding a burst. Beyond it a request is answered 429 <c>SYNC:RATE_LIMITED</c> with
/// <c>retryAfterMs</c> and <c>Retry-After</c>. Off (null rates) by default.
/// </summary>
/// <example><code>
/// builder.Services.AddConcord(o =>
/// {
///     o.RateLimits.UserRequestsPerSecond = 50;
///     o.RateLimits.TenantRequestsPerSecond = 500;
/// });
/// </code></example>
public sealed class RateLimitOptions
{
    /// <summary>Requests one user may make per second, sustained; null for no limit. An open server counts per address.</summary>
    public int? UserRequestsPerSecond { get; set; }

    /// <summary>Requests one user may make at once above the rate. 100 by default.</summary>
    public int UserBurst { get; set; } = 100;

    /// <summary>Requests one tenant's users together may make per second, sustained; null for no limit.</summary>
    public int? TenantRequestsPerSecond { get; set; }

    /// <summary>Requests one tenant may make at once above the rate. 1,000 by default.</summary>
    public int TenantBurst { get; set; } = 1000;

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate or burst is below 1.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(UserRequestsPerSecond ?? 1, 1, nameof(UserRequestsPerSecond));
        ArgumentOutOfRangeException.ThrowIfLessThan(TenantRequestsPerSecond ?? 1, 1, nameof(TenantRequestsPerSecond));
        ArgumentOutOfRangeException.ThrowIfLessThan(UserBurst, 1, nameof(UserBurst));
        ArgumentOutOfRangeException.ThrowIfLessThan(TenantBurst, 1, nameof(TenantBurst));
    }
}

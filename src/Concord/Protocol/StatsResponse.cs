namespace Concord.Protocol;

/// <summary><c>GET {base}/stats</c>: counts for the caller's tenant and the store.</summary>
public sealed class StatsResponse
{
    /// <summary>Records in the tenant, tombstones included.</summary>
    public required long Records { get; init; }

    /// <summary>Tenants in the store.</summary>
    public required long Tenants { get; init; }

    /// <summary>The tenant's latest version.</summary>
    public required long CurrentVersion { get; init; }

    /// <summary>Ops applied in the tenant (and remembered for idempotency).</summary>
    public required long AppliedOps { get; init; }
}

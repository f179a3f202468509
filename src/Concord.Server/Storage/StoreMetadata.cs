namespace Concord.Server.Storage;

/// <summary>Counts a store reports for one tenant.</summary>
/// <param name="CurrentVersion">The tenant's latest version.</param>
/// <param name="Records">Records in the tenant, tombstones included.</param>
/// <param name="AppliedOps">Ops remembered for the tenant.</param>
/// <param name="Tenants">Tenants in the store.</param>
public sealed record StoreMetadata(long CurrentVersion, long Records, long AppliedOps, long Tenants);

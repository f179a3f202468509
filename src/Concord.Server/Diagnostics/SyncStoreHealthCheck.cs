using Concord.Server.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Concord.Server.Diagnostics;

/// <summary>Healthy when the store answers a metadata read.</summary>
internal sealed class SyncStoreHealthCheck(ISyncStore store, IOptions<ConcordServerOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.ReadMetadataAsync(options.Value.DefaultTenant, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The store did not answer.", ex);
        }
    }
}

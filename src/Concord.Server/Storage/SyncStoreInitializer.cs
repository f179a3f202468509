using Concord.Server.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Concord.Server.Storage;

/// <summary>Creates or migrates the store before the server takes requests.</summary>
internal sealed class SyncStoreInitializer(ISyncStore store, ILogger<SyncStoreInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        ConcordServerLog.StoreReady(logger, store.Epoch);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

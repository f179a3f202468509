using Concord.Server.Diagnostics;
using Concord.Server.Workspaces;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Concord.Server.Storage;

/// <summary>Creates or migrates the stores before the server takes requests.</summary>
internal sealed class SyncStoreInitializer(ISyncStore store, IWorkspaceStore workspaces, ILogger<SyncStoreInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The sync store first: it may share its file with the workspace store and set what only a new file can take.
        await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await workspaces.InitializeAsync(cancellationToken).ConfigureAwait(false);
        ConcordServerLog.StoreReady(logger, store.Epoch);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

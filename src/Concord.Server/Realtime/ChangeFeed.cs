using System.Collections.Concurrent;

namespace Concord.Server.Realtime;

/// <summary>
/// Where commits are announced and realtime connections listen, one <see cref="TenantFeed"/> per tenant that has
/// connections. A commit in a tenant nobody listens to costs a dictionary lookup.
/// </summary>
internal sealed class ChangeFeed(RealtimeContext context)
{
    private readonly ConcurrentDictionary<string, TenantFeed> _feeds = new(StringComparer.Ordinal);

    /// <summary>The tenant's version moved to <paramref name="version"/>.</summary>
    public void Publish(string tenant, long version)
    {
        if (_feeds.TryGetValue(tenant, out TenantFeed? feed))
        {
            feed.Publish(version);
        }
    }

    /// <summary>Adds a connection to its tenant's feed.</summary>
    /// <returns>The feed, and the tenant's version.</returns>
    public async Task<(TenantFeed Feed, long Version)> JoinAsync(RealtimeConnection connection, long? cursorVersion, CancellationToken cancellationToken)
    {
        while (true)
        {
            TenantFeed feed = _feeds.GetOrAdd(connection.Tenant, static (tenant, state) => new TenantFeed(tenant, state.context, state.retire), (context, retire: (Action<TenantFeed>)Retire));
            try
            {
                await feed.ReadyAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A store that failed to answer must not leave a feed that never starts behind.
                _feeds.TryRemove(new KeyValuePair<string, TenantFeed>(feed.Tenant, feed));
                throw;
            }

            if (feed.TryJoin(connection, cursorVersion, out long version))
            {
                return (feed, version);
            }
        }
    }

    private void Retire(TenantFeed feed) => _feeds.TryRemove(new KeyValuePair<string, TenantFeed>(feed.Tenant, feed));
}

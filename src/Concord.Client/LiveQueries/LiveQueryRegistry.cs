using Concord.Client.Local;
using Microsoft.Extensions.Logging;

namespace Concord.Client.LiveQueries;

/// <summary>The live queries of one client: each is evaluated after every commit that touches what it reads.</summary>
internal sealed class LiveQueryRegistry
{
    private readonly object _gate = new();
    private readonly LocalStore _store;
    private LiveSubscription[] _subscriptions = [];
    private bool _closed;

    public LiveQueryRegistry(LocalStore store, ILogger logger)
    {
        _store = store;
        Logger = logger;
        store.ViewChanged += OnViewChanged;
    }

    public ILogger Logger { get; }

    /// <summary>Registers <paramref name="subscription"/> and reads its first result, with no commit in between.</summary>
    public async Task AddAsync(LiveSubscription subscription)
    {
        try
        {
            await _store.ReadViewAsync(
                reader =>
                {
                    lock (_gate)
                    {
                        if (_closed)
                        {
                            subscription.Complete();
                            return;
                        }

                        _subscriptions = [.. _subscriptions, subscription];
                    }

                    subscription.Evaluate(reader);
                },
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            Remove(subscription);
            subscription.Complete(ex);
        }
    }

    public void Remove(LiveSubscription subscription)
    {
        lock (_gate)
        {
            _subscriptions = _subscriptions.Where(s => s != subscription).ToArray();
        }
    }

    /// <summary>Ends every subscription: the client is closing.</summary>
    public void Close()
    {
        LiveSubscription[] open;
        lock (_gate)
        {
            _closed = true;
            open = _subscriptions;
            _subscriptions = [];
        }

        _store.ViewChanged -= OnViewChanged;
        foreach (LiveSubscription subscription in open)
        {
            subscription.Complete();
        }
    }

    private void OnViewChanged(ViewChanges changes, ViewReader reader)
    {
        foreach (LiveSubscription subscription in Volatile.Read(ref _subscriptions))
        {
            if (!subscription.Source.IsAffectedBy(changes))
            {
                continue;
            }

            try
            {
                subscription.Evaluate(reader);
            }
            catch (Microsoft.Data.Sqlite.SqliteException ex)
            {
                // A query that cannot run any more ends its subscription, not the write that was reported.
                Remove(subscription);
                subscription.Complete(ex);
            }
        }
    }
}

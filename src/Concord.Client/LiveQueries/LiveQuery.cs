using System.Runtime.CompilerServices;
using Concord.Client.Sync;

namespace Concord.Client.LiveQueries;

/// <summary>
/// A query over the local view whose result is delivered at once and again after every local write, pulled page or
/// rollback that changes it, never after one that does not. Results are computed with SQL on the view right after
/// each commit, and delivered in commit order on a thread of their own (marshal to a UI thread where needed).
/// </summary>
/// <example><code>
/// using IDisposable live = todos.Query().Where("done", "=", false).OrderBy("title")
///     .Subscribe(open => Console.WriteLine($"{open.Count} open"));
///
/// await foreach (IReadOnlyList&lt;Todo&gt; open in todos.Query().Where("done", "=", false).Live().WithCancellation(token))
/// {
///     Render(open);
/// }
/// </code></example>
public sealed class LiveQuery<TResult> : IObservable<TResult>, IAsyncEnumerable<TResult>
{
    private readonly LiveQueryRegistry _registry;
    private readonly LiveSource _source;
    private readonly Func<List<(string Id, string Data)>, TResult> _materialize;

    internal LiveQuery(LiveQueryRegistry registry, LiveSource source, Func<List<(string Id, string Data)>, TResult> materialize)
    {
        _registry = registry;
        _source = source;
        _materialize = materialize;
    }

    /// <summary>Calls <paramref name="onResult"/> with the current result, then with each new one, until disposed.</summary>
    /// <remarks>An exception thrown by the callback is logged and does not end the subscription.</remarks>
    public IDisposable Subscribe(Action<TResult> onResult)
    {
        ArgumentNullException.ThrowIfNull(onResult);
        return Start(new CallbackObserver(onResult, _registry));
    }

    /// <summary>Sends the current result, then each new one, to <paramref name="observer"/>; completes when the client closes.</summary>
    public IDisposable Subscribe(IObserver<TResult> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        return Start(observer);
    }

    /// <summary>The current result, then each new one; a consumer slower than the commits gets the newest.</summary>
    public async IAsyncEnumerator<TResult> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        using var subscription = new Subscription(_registry, _source, _materialize, observer: null);
        _ = _registry.AddAsync(subscription);
        await foreach (TResult result in subscription.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }

    private Subscription Start(IObserver<TResult> observer)
    {
        var subscription = new Subscription(_registry, _source, _materialize, observer);
        _ = subscription.DeliverAsync();
        _ = _registry.AddAsync(subscription);
        return subscription;
    }

    private sealed class Subscription(LiveQueryRegistry registry, LiveSource source, Func<List<(string Id, string Data)>, TResult> materialize, IObserver<TResult>? observer)
        : LiveSubscription(registry, source)
    {
        public async IAsyncEnumerable<TResult> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (List<(string Id, string Data)> rows in Pending.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return materialize(rows);
            }
        }

        /// <summary>Delivers results to the observer one at a time, in the order they were read.</summary>
        public async Task DeliverAsync()
        {
            // Off the subscriber's thread: the first result is read under the store's lock, and delivery must never run there.
            await Task.Yield();
            try
            {
                await foreach (List<(string Id, string Data)> rows in Pending.Reader.ReadAllAsync().ConfigureAwait(false))
                {
                    if (!IsDisposed)
                    {
                        observer!.OnNext(materialize(rows));
                    }
                }

                if (!IsDisposed)
                {
                    observer!.OnCompleted();
                }
            }
            catch (Exception ex) when (!IsDisposed)
            {
                observer!.OnError(ex);
            }
        }
    }

    /// <summary>A callback as an observer; its exceptions are logged so that one bad callback cannot stop the results.</summary>
    private sealed class CallbackObserver(Action<TResult> onResult, LiveQueryRegistry registry) : IObserver<TResult>
    {
        public void OnNext(TResult value)
        {
            try
            {
                onResult(value);
            }
            catch (Exception ex)
            {
                ConcordClientLog.LiveQueryCallbackFailed(registry.Logger, ex);
            }
        }

        public void OnError(Exception error) => ConcordClientLog.LiveQueryFailed(registry.Logger, error);

        public void OnCompleted()
        {
        }
    }
}

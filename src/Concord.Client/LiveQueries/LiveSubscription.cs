using System.Threading.Channels;
using Concord.Client.Local;

namespace Concord.Client.LiveQueries;

/// <summary>
/// One subscriber to a live query. The result is read right after each commit that may change it, still under the
/// store's lock, and compared with the last one read: only a different result is delivered, in commit order, on a
/// thread of its own. A subscriber slower than the commits sees the newest results; older ones waiting are dropped.
/// </summary>
internal abstract class LiveSubscription : IDisposable
{
    /// <summary>Results waiting for a slow subscriber before the oldest is dropped.</summary>
    private const int MaxWaiting = 64;

    private readonly LiveQueryRegistry _registry;
    private List<(string Id, string Data)>? _last;
    private int _disposed;

    protected LiveSubscription(LiveQueryRegistry registry, LiveSource source)
    {
        _registry = registry;
        Source = source;
        Pending = Channel.CreateBounded<List<(string Id, string Data)>>(new BoundedChannelOptions(MaxWaiting)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
    }

    public LiveSource Source { get; }

    protected Channel<List<(string Id, string Data)>> Pending { get; }

    protected bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Reads the result under the store's lock; queues it when it differs from the last.</summary>
    public void Evaluate(ViewReader reader)
    {
        List<(string Id, string Data)> rows = Source.Read(reader);
        if (_last is not null && rows.SequenceEqual(_last))
        {
            return;
        }

        _last = rows;
        Pending.Writer.TryWrite(rows);
    }

    /// <summary>No more results: the client closed, or reading failed.</summary>
    public void Complete(Exception? error = null) => Pending.Writer.TryComplete(error);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _registry.Remove(this);
            Complete();
        }
    }
}

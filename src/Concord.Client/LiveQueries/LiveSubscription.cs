using System.Text.Json;
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
        if (_last is not null && SameRows(rows, _last))
        {
            return;
        }

        _last = rows;
        Pending.Writer.TryWrite(rows);
    }

    /// <summary>
    /// Whether two results hold the same records with the same values. A record's JSON may be spelled differently
    /// for the same value (a local patch and the server's copy order members differently): that is no change.
    /// </summary>
    private static bool SameRows(List<(string Id, string Data)> rows, List<(string Id, string Data)> last)
    {
        if (rows.Count != last.Count)
        {
            return false;
        }

        for (int i = 0; i < rows.Count; i++)
        {
            if (!string.Equals(rows[i].Id, last[i].Id, StringComparison.Ordinal))
            {
                return false;
            }

            if (!string.Equals(rows[i].Data, last[i].Data, StringComparison.Ordinal))
            {
                using JsonDocument now = JsonDocument.Parse(rows[i].Data);
                using JsonDocument before = JsonDocument.Parse(last[i].Data);
                if (!JsonElement.DeepEquals(now.RootElement, before.RootElement))
                {
                    return false;
                }
            }
        }

        return true;
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

using Concord.Errors;
using Microsoft.Extensions.Options;

namespace Concord.Server.Realtime;

/// <summary>
/// The WebSockets and event streams each caller (user, or address on an open server) holds open in this process,
/// at most <see cref="RealtimeOptions.MaxConnectionsPerUser"/>. A slot is taken before an upgrade is accepted and
/// given back when its connection ends, however it ends.
/// </summary>
internal sealed class ConnectionQuota(IOptions<ConcordServerOptions> options)
{
    /// <summary>The name of the limit in a refusal's <c>meta.limit</c>.</summary>
    public const string LimitName = "maxConnectionsPerUser";

    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public int Max { get; } = options.Value.Realtime.MaxConnectionsPerUser;

    /// <summary>Takes a slot for <paramref name="caller"/>, to dispose when the connection ends.</summary>
    /// <returns>The slot; null, with the <c>SYNC:RATE_LIMITED</c> error to answer, when the caller holds <see cref="Max"/>.</returns>
    public IDisposable? TryOpen(string caller, out SyncError? error)
    {
        lock (_gate)
        {
            int open = _open.GetValueOrDefault(caller);
            if (open >= Max)
            {
                error = SyncError.Create(
                    SyncErrorCodes.RateLimited,
                    $"At most {Max} realtime connections per user may be open at once; close one first.",
                    new Dictionary<string, object> { ["limit"] = LimitName, ["max"] = Max });
                return null;
            }

            _open[caller] = open + 1;
        }

        error = null;
        return new Slot(this, caller);
    }

    /// <summary>How many connections <paramref name="caller"/> holds open.</summary>
    public int OpenBy(string caller)
    {
        lock (_gate)
        {
            return _open.GetValueOrDefault(caller);
        }
    }

    private void Close(string caller)
    {
        lock (_gate)
        {
            int open = _open.GetValueOrDefault(caller);
            if (open <= 1)
            {
                // No entry for a caller with nothing open: the table does not grow with every address ever seen.
                _open.Remove(caller);
            }
            else
            {
                _open[caller] = open - 1;
            }
        }
    }

    private sealed class Slot(ConnectionQuota quota, string caller) : IDisposable
    {
        private int _closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                quota.Close(caller);
            }
        }
    }
}

namespace Concord.Clock;

/// <summary>
/// A hybrid logical clock: readings follow wall-clock time when it moves forward, never go
/// backwards, and always come after every reading this clock has seen from other nodes.
/// </summary>
/// <remarks>
/// Thread-safe and lock-free. Milliseconds and counter are kept packed in one 64-bit number,
/// so "same millisecond, next counter" is just +1, and a counter overflow carries into the
/// millisecond instead of wrapping.
/// </remarks>
/// <example><code>
/// var clock = new HybridLogicalClock("node7", TimeProvider.System);
/// HlcTimestamp ts = clock.Now(); // "0190f3a2b4c10003-node7"
/// </code></example>
public sealed class HybridLogicalClock
{
    private readonly TimeProvider _time;
    private readonly string _nodeId;
    private long _last;

    /// <summary>Creates a clock for one node.</summary>
    /// <param name="nodeId">This node's id; see <see cref="HlcTimestamp.IsValidNodeId(string)"/>.</param>
    /// <param name="timeProvider">The wall clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="maxDrift">How far ahead of this clock's wall time a received reading may be.</param>
    public HybridLogicalClock(string nodeId, TimeProvider? timeProvider = null, TimeSpan? maxDrift = null)
    {
        if (!HlcTimestamp.IsValidNodeId(nodeId))
        {
            throw new ArgumentException("A node id is 1-64 characters of A-Z, a-z, 0-9, '_', '.', '~' or '-'.", nameof(nodeId));
        }

        _nodeId = nodeId;
        _time = timeProvider ?? TimeProvider.System;
        MaxDrift = maxDrift ?? TimeSpan.FromMinutes(1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDrift, TimeSpan.Zero, nameof(maxDrift));
    }

    /// <summary>This clock's node id.</summary>
    public string NodeId => _nodeId;

    /// <summary>How far ahead of the wall clock a received reading may be before <see cref="TryReceive"/> refuses it.</summary>
    public TimeSpan MaxDrift { get; }

    /// <summary>The latest reading this clock has produced or seen (<c>default</c> before the first).</summary>
    public HlcTimestamp Last
    {
        get
        {
            ulong last = (ulong)Volatile.Read(ref _last);
            return last == 0 ? default : new HlcTimestamp(last, _nodeId);
        }
    }

    /// <summary>Takes a new reading (the HLC send/local-event rule).</summary>
    /// <example><code>var ts = clock.Now(); // "0190f3a2b4c10003-node7"</code></example>
    public HlcTimestamp Now()
    {
        ulong physical = PhysicalNow();
        while (true)
        {
            long last = Volatile.Read(ref _last);
            ulong next = Math.Max(physical, (ulong)last + 1);
            if (Interlocked.CompareExchange(ref _last, (long)next, last) == last)
            {
                return new HlcTimestamp(next, _nodeId);
            }
        }
    }

    /// <summary>
    /// Folds a reading received from another node into this clock (the HLC receive rule),
    /// unless it is further ahead of the wall clock than <see cref="MaxDrift"/>.
    /// </summary>
    /// <param name="remote">The reading received.</param>
    /// <param name="aheadBy">How far <paramref name="remote"/> is ahead of this clock's wall time (zero when it is not).</param>
    /// <returns>False, and the clock unchanged, when the reading is too far in the future.</returns>
    public bool TryReceive(HlcTimestamp remote, out TimeSpan aheadBy)
    {
        long wallMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long ahead = remote.Milliseconds - wallMs;
        aheadBy = ahead > 0 ? TimeSpan.FromMilliseconds(ahead) : TimeSpan.Zero;
        if (aheadBy > MaxDrift)
        {
            return false;
        }

        Observe(remote);
        return true;
    }

    /// <summary>Whether <paramref name="remote"/> is within <see cref="MaxDrift"/> of this clock's wall time.</summary>
    public bool IsWithinDrift(HlcTimestamp remote, out TimeSpan aheadBy)
    {
        long ahead = remote.Milliseconds - _time.GetUtcNow().ToUnixTimeMilliseconds();
        aheadBy = ahead > 0 ? TimeSpan.FromMilliseconds(ahead) : TimeSpan.Zero;
        return aheadBy <= MaxDrift;
    }

    /// <summary>
    /// Folds a reading into this clock with no drift check, so that the next <see cref="Now"/> comes after it.
    /// A client uses this for the server's readings: the server is the authority on time.
    /// </summary>
    public void Observe(HlcTimestamp remote)
    {
        if (remote.IsEmpty)
        {
            return;
        }

        ulong floor = remote.Logical;
        while (true)
        {
            long last = Volatile.Read(ref _last);
            if ((ulong)last >= floor)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _last, (long)floor, last) == last)
            {
                return;
            }
        }
    }

    private ulong PhysicalNow()
    {
        long ms = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return (ulong)Math.Clamp(ms, 0, HlcTimestamp.MaxMilliseconds) << 16;
    }
}

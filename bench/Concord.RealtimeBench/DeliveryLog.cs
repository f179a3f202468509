using System.Diagnostics;

namespace Concord.RealtimeBench;

/// <summary>
/// Every write of one fan-out run and where it has arrived: when each write was sent, how many receivers have it,
/// and, for the measured writes, when each receiver got it. Receivers report from their own loops at once, so the
/// counters are interlocked and each receiver writes only its own timestamp slots.
/// </summary>
internal sealed class DeliveryLog
{
    private readonly int _receivers;
    private readonly int _measuredFrom;
    private readonly int _measuredTo;
    private readonly int _windowFrom;
    private readonly long[] _sent;
    private readonly int[] _arrivals;
    private readonly long[] _arrivedAt;
    private readonly SemaphoreSlim _room;
    private long _completed;
    private long _lastArrival;
    private long _unmatched;
    private long _pulls;
    private long _disconnected;
    private Waiter? _waiter;

    /// <param name="receivers">Receivers every write goes to.</param>
    /// <param name="writes">Writes the run may make, numbered from 0.</param>
    /// <param name="measuredFrom">First write whose every arrival is timed.</param>
    /// <param name="measuredTo">First write after the timed ones.</param>
    /// <param name="window">Writes from <paramref name="measuredTo"/> on that may be in flight at once.</param>
    public DeliveryLog(int receivers, int writes, int measuredFrom, int measuredTo, int window)
    {
        _receivers = receivers;
        _measuredFrom = measuredFrom;
        _measuredTo = measuredTo;
        _windowFrom = measuredTo;
        _sent = new long[writes];
        _arrivals = new int[writes];
        _arrivedAt = new long[(long)(measuredTo - measuredFrom) * receivers];
        _room = new SemaphoreSlim(window);
    }

    /// <summary>An empty log, for receivers that are only held open.</summary>
    public static DeliveryLog None(int receivers) => new(receivers, 0, 0, 0, 1);

    /// <summary>Frames that looked like a write but matched none, or a write's index out of range.</summary>
    public long Unmatched => Interlocked.Read(ref _unmatched);

    /// <summary>Pulls receivers made after being poked instead of sent records (the server's backpressure).</summary>
    public long Pulls => Interlocked.Read(ref _pulls);

    /// <summary>Receivers whose connection ended before the run did.</summary>
    public long Disconnects => Interlocked.Read(ref _disconnected);

    /// <summary>When the last delivery arrived (a <see cref="Stopwatch"/> timestamp).</summary>
    public long LastArrival => Interlocked.Read(ref _lastArrival);

    public void Sent(int write, long timestamp) => _sent[write] = timestamp;

    /// <summary>Receiver <paramref name="receiver"/> has write <paramref name="write"/> since <paramref name="timestamp"/>.</summary>
    public void Arrived(int write, int receiver, long timestamp)
    {
        if ((uint)write >= (uint)_arrivals.Length)
        {
            Interlocked.Increment(ref _unmatched);
            return;
        }

        if (write >= _measuredFrom && write < _measuredTo)
        {
            _arrivedAt[((long)(write - _measuredFrom) * _receivers) + receiver] = timestamp;
        }

        Interlocked.Exchange(ref _lastArrival, timestamp);
        if (Interlocked.Increment(ref _arrivals[write]) != _receivers)
        {
            return;
        }

        if (write >= _windowFrom)
        {
            _room.Release();
        }

        long completed = Interlocked.Increment(ref _completed);
        if (Volatile.Read(ref _waiter) is { } waiter && completed >= waiter.Writes)
        {
            waiter.Done.TrySetResult();
        }
    }

    public void NotMatched() => Interlocked.Increment(ref _unmatched);

    public void Pulled() => Interlocked.Increment(ref _pulls);

    public void Disconnected() => Interlocked.Increment(ref _disconnected);

    /// <summary>Waits until fewer than the window's writes are in flight, then takes a place for one more.</summary>
    public Task WaitForRoomAsync(CancellationToken cancellationToken) => _room.WaitAsync(cancellationToken);

    /// <summary>Waits until <paramref name="writes"/> writes have reached every receiver, or the timeout passes.</summary>
    /// <returns>False when the timeout passed first.</returns>
    public async Task<bool> WhenCompletedAsync(int writes, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(writes);
        Volatile.Write(ref _waiter, waiter);
        if (Interlocked.Read(ref _completed) >= writes)
        {
            return true;
        }

        try
        {
            await waiter.Done.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Deliveries of writes <paramref name="from"/> to <paramref name="to"/> (exclusive).</summary>
    public long DeliveredOf(int from, int to)
    {
        long sum = 0;
        for (int write = from; write < to; write++)
        {
            sum += Volatile.Read(ref _arrivals[write]);
        }

        return sum;
    }

    /// <summary>Every timed delivery's latency in milliseconds, and how many never arrived.</summary>
    public (double[] Milliseconds, long Missing) Latencies()
    {
        var latencies = new List<double>(_arrivedAt.Length);
        long missing = 0;
        for (int write = _measuredFrom; write < _measuredTo; write++)
        {
            long sent = _sent[write];
            for (int receiver = 0; receiver < _receivers; receiver++)
            {
                long arrived = Volatile.Read(ref _arrivedAt[((long)(write - _measuredFrom) * _receivers) + receiver]);
                if (arrived == 0 || sent == 0)
                {
                    missing++;
                    continue;
                }

                latencies.Add(Stopwatch.GetElapsedTime(sent, arrived).TotalMilliseconds);
            }
        }

        return (latencies.ToArray(), missing);
    }

    private sealed record Waiter(long Writes)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

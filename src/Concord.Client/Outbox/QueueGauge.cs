namespace Concord.Client.Outbox;

/// <summary>
/// The figures of <see cref="QueueStats"/>, kept in memory so that reading them costs the app nothing:
/// counted up at each local write, set from the stored outbox when it opens and after each sync round.
/// </summary>
internal sealed class QueueGauge
{
    private long _count;
    private long _bytes;
    private int _batchesInFlight;

    public QueueStats Current => new(Interlocked.Read(ref _count), Interlocked.Read(ref _bytes), Volatile.Read(ref _batchesInFlight));

    /// <summary>Counts one more local change of <paramref name="bytes"/> (as the outbox stored it).</summary>
    public void Queued(long bytes)
    {
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _bytes, bytes);
    }

    /// <summary>Takes the count and bytes the outbox holds.</summary>
    public void Set(QueueStats stored)
    {
        Interlocked.Exchange(ref _count, stored.Count);
        Interlocked.Exchange(ref _bytes, stored.Bytes);
    }

    public void BatchSent() => Interlocked.Increment(ref _batchesInFlight);

    public void BatchAnswered() => Interlocked.Decrement(ref _batchesInFlight);
}

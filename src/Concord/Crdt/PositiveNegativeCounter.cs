namespace Concord.Crdt;

/// <summary>
/// A PN-counter: per replica, the total of its increments (P) and of its decrements (N). The value is
/// ΣP − ΣN. Merging keeps each replica's greater totals, so it is commutative, associative and idempotent.
/// </summary>
/// <example><code>
/// var likes = new PositiveNegativeCounter();
/// likes.Add("phone", 2);
/// likes.Add("laptop", -1);
/// long value = likes.Value; // 1
/// </code></example>
public sealed class PositiveNegativeCounter
{
    private readonly SortedDictionary<string, long> _increments = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> _decrements = new(StringComparer.Ordinal);

    /// <summary>The counter's value.</summary>
    public long Value { get; private set; }

    /// <summary>Each replica's total of increments.</summary>
    public IReadOnlyDictionary<string, long> Increments => _increments;

    /// <summary>Each replica's total of decrements (as positive numbers).</summary>
    public IReadOnlyDictionary<string, long> Decrements => _decrements;

    /// <summary>Counts <paramref name="delta"/> (positive or negative) for <paramref name="replica"/>.</summary>
    /// <exception cref="OverflowException">A total would overflow.</exception>
    public void Add(string replica, long delta)
    {
        ArgumentException.ThrowIfNullOrEmpty(replica);
        if (delta == 0)
        {
            return;
        }

        SortedDictionary<string, long> totals = delta > 0 ? _increments : _decrements;
        long magnitude = delta > 0 ? delta : checked(-delta);
        totals[replica] = checked(totals.GetValueOrDefault(replica) + magnitude);
        Value = checked(Value + delta);
    }

    /// <summary>Sets a replica's totals directly, as read from a stored or received state. Totals never go down.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A total is negative.</exception>
    public void Observe(string replica, long increments, long decrements)
    {
        ArgumentException.ThrowIfNullOrEmpty(replica);
        ArgumentOutOfRangeException.ThrowIfNegative(increments);
        ArgumentOutOfRangeException.ThrowIfNegative(decrements);
        Raise(_increments, replica, increments, +1);
        Raise(_decrements, replica, decrements, -1);
    }

    /// <summary>Merges <paramref name="other"/> into this counter (per replica, the greater totals).</summary>
    public void Merge(PositiveNegativeCounter other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach ((string replica, long total) in other._increments)
        {
            Raise(_increments, replica, total, +1);
        }

        foreach ((string replica, long total) in other._decrements)
        {
            Raise(_decrements, replica, total, -1);
        }
    }

    /// <summary>A deep copy.</summary>
    public PositiveNegativeCounter Clone()
    {
        var copy = new PositiveNegativeCounter();
        copy.Merge(this);
        return copy;
    }

    private void Raise(SortedDictionary<string, long> totals, string replica, long total, int sign)
    {
        long current = totals.GetValueOrDefault(replica);
        if (total > current)
        {
            totals[replica] = total;
            Value = checked(Value + (sign * (total - current)));
        }
    }
}

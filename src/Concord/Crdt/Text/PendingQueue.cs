namespace Concord.Crdt.Text;

/// <summary>
/// Received runs and deletions of one replica that cannot be applied yet, each in a heap ordered by clock.
/// </summary>
/// <remarks>
/// Updates may come in any order, the reverse of their dependencies included: a queue that kept a sorted list
/// and sorted it again after each arrival spent seconds on tens of thousands of such updates (2.7 s for 10,000,
/// 62 s for 40,000). Heaps take each arrival and each departure in logarithmic time; only encoding a state,
/// which is rare, reads everything waiting in order.
/// </remarks>
internal sealed class PendingQueue
{
    private readonly PriorityQueue<PendingItem, int> _items = new();
    private readonly PriorityQueue<(int Start, int End), int> _deletes = new();

    public bool HasItems => _items.Count > 0;

    public bool HasDeletes => _deletes.Count > 0;

    public bool IsEmpty => !HasItems && !HasDeletes;

    /// <summary>Runs and deletions waiting.</summary>
    public int Count => _items.Count + _deletes.Count;

    public void Add(in PendingItem item) => _items.Enqueue(item, item.Clock);

    /// <summary>The waiting run with the lowest clock.</summary>
    public bool TryPeek(out PendingItem item) => _items.TryPeek(out item, out _);

    public void Pop() => _items.Dequeue();

    /// <summary>Copies the waiting runs, in clock order.</summary>
    public void CopyItemsTo(List<PendingItem> destination)
    {
        int from = destination.Count;
        foreach ((PendingItem item, int _) in _items.UnorderedItems)
        {
            destination.Add(item);
        }

        destination.Sort(from, destination.Count - from, Comparer<PendingItem>.Create(static (a, b) => a.Clock.CompareTo(b.Clock)));
    }

    public void AddDelete(int start, int end) => _deletes.Enqueue((start, end), start);

    /// <summary>
    /// Removes the waiting deletions, or their parts, that start before <paramref name="next"/> (the replica's
    /// characters up to there are present now), and gives each to <paramref name="delete"/>.
    /// </summary>
    public void TakeDeletesBefore(int next, Action<int, int> delete)
    {
        while (_deletes.TryPeek(out (int Start, int End) range, out _) && range.Start < next)
        {
            _deletes.Dequeue();
            delete(range.Start, Math.Min(range.End, next));
            if (range.End > next)
            {
                _deletes.Enqueue((next, range.End), next);
            }
        }
    }

    /// <summary>The waiting deletions, sorted and with overlapping ranges merged.</summary>
    public List<(int Start, int End)> Deletes
    {
        get
        {
            var ranges = _deletes.UnorderedItems.Select(d => d.Element).OrderBy(d => d.Start).ToList();
            int write = 0;
            for (int i = 1; i < ranges.Count; i++)
            {
                (int start, int end) = ranges[i];
                if (start <= ranges[write].End)
                {
                    ranges[write] = (ranges[write].Start, Math.Max(end, ranges[write].End));
                }
                else
                {
                    ranges[++write] = (start, end);
                }
            }

            if (ranges.Count > 0)
            {
                ranges.RemoveRange(write + 1, ranges.Count - write - 1);
            }

            return ranges;
        }
    }
}

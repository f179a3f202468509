namespace Concord.Crdt.Text;

/// <summary>
/// The items of one replica sorted by clock, to find the item holding a given character id.
/// </summary>
/// <remarks>
/// Items cover the clocks <c>[0, NextClock)</c> without gaps, because a replica's runs are integrated in
/// clock order. Splitting a run adds an item in the middle of the order, so the index is a list of
/// bounded chunks: an insertion moves at most one chunk's entries, not the whole replica's.
/// </remarks>
internal sealed class ClientItemIndex
{
    private const int ChunkCapacity = 128;

    private readonly List<int[]> _chunks = [];
    private readonly List<int> _counts = [];

    /// <summary>Every clock below this is integrated.</summary>
    public int NextClock { get; set; }

    /// <summary>Number of items.</summary>
    public int Count { get; private set; }

    /// <summary>Adds an item whose clock is greater than every other.</summary>
    public void Append(int item)
    {
        if (_chunks.Count == 0 || _counts[^1] == ChunkCapacity)
        {
            _chunks.Add(new int[ChunkCapacity]);
            _counts.Add(0);
        }

        int c = _chunks.Count - 1;
        _chunks[c][_counts[c]] = item;
        _counts[c]++;
        Count++;
    }

    /// <summary>Returns the item holding <paramref name="clock"/>, or -1.</summary>
    public int Find(TextItem[] items, int clock) =>
        Locate(items, clock, out int chunk, out int position) ? _chunks[chunk][position] : -1;

    /// <summary>Adds <paramref name="item"/> just after <paramref name="existing"/> in clock order.</summary>
    public void InsertAfter(TextItem[] items, int existing, int item)
    {
        if (!Locate(items, items[existing].Clock, out int chunk, out int position))
        {
            throw new InvalidOperationException("The text index lost an item.");
        }

        position++;
        int[] array = _chunks[chunk];
        int count = _counts[chunk];
        if (count == ChunkCapacity)
        {
            // Split the full chunk in halves, then insert into the half that covers the position.
            int half = ChunkCapacity / 2;
            int[] upper = new int[ChunkCapacity];
            Array.Copy(array, half, upper, 0, ChunkCapacity - half);
            _chunks.Insert(chunk + 1, upper);
            _counts.Insert(chunk + 1, ChunkCapacity - half);
            _counts[chunk] = half;
            if (position > half)
            {
                chunk++;
                position -= half;
                array = upper;
            }

            count = _counts[chunk];
        }

        Array.Copy(array, position, array, position + 1, count - position);
        array[position] = item;
        _counts[chunk] = count + 1;
        Count++;
    }

    /// <summary>Appends every item to <paramref name="destination"/> in clock order.</summary>
    public void CopyTo(List<int> destination)
    {
        for (int c = 0; c < _chunks.Count; c++)
        {
            int[] array = _chunks[c];
            for (int i = 0; i < _counts[c]; i++)
            {
                destination.Add(array[i]);
            }
        }
    }

    private bool Locate(TextItem[] items, int clock, out int chunk, out int position)
    {
        chunk = -1;
        position = -1;
        if (clock < 0 || clock >= NextClock || _chunks.Count == 0)
        {
            return false;
        }

        // Last chunk whose first item starts at or before the clock.
        int lo = 0;
        int hi = _chunks.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >> 1;
            if (items[_chunks[mid][0]].Clock <= clock)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        int[] array = _chunks[lo];
        int a = 0;
        int b = _counts[lo] - 1;
        while (a < b)
        {
            int mid = (a + b + 1) >> 1;
            if (items[array[mid]].Clock <= clock)
            {
                a = mid;
            }
            else
            {
                b = mid - 1;
            }
        }

        ref TextItem found = ref items[array[a]];
        if (clock < found.Clock || clock >= found.Clock + found.Length)
        {
            return false;
        }

        chunk = lo;
        position = a;
        return true;
    }
}

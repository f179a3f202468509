namespace Concord.Crdt.Text;

/// <summary>Received runs and deletions of one replica that cannot be applied yet, kept in clock order.</summary>
internal sealed class PendingQueue
{
    private static readonly Comparer<PendingItem> ByClock = Comparer<PendingItem>.Create(static (a, b) => a.Clock.CompareTo(b.Clock));

    private readonly List<PendingItem> _items = [];
    private int _head;
    private bool _unsorted;
    private readonly List<(int Start, int End)> _deletes = [];
    private bool _deletesUnsorted;

    public bool HasItems => _head < _items.Count;

    public bool HasDeletes => _deletes.Count > 0;

    public bool IsEmpty => !HasItems && !HasDeletes;

    public void Add(in PendingItem item)
    {
        if (_head < _items.Count && item.Clock < _items[^1].Clock)
        {
            _unsorted = true;
        }

        _items.Add(item);
    }

    /// <summary>The waiting run with the lowest clock.</summary>
    public bool TryPeek(out PendingItem item)
    {
        if (_head >= _items.Count)
        {
            item = default;
            return false;
        }

        if (_unsorted)
        {
            _items.Sort(_head, _items.Count - _head, ByClock);
            _unsorted = false;
        }

        item = _items[_head];
        return true;
    }

    public void Pop()
    {
        _head++;
        if (_head == _items.Count)
        {
            _items.Clear();
            _head = 0;
        }
        else if (_head > 64 && _head * 2 > _items.Count)
        {
            _items.RemoveRange(0, _head);
            _head = 0;
        }
    }

    /// <summary>Copies the waiting runs, in clock order.</summary>
    public void CopyItemsTo(List<PendingItem> destination)
    {
        if (TryPeek(out _))
        {
            for (int i = _head; i < _items.Count; i++)
            {
                destination.Add(_items[i]);
            }
        }
    }

    public void AddDelete(int start, int end)
    {
        if (_deletes.Count > 0 && start < _deletes[^1].Start)
        {
            _deletesUnsorted = true;
        }

        _deletes.Add((start, end));
    }

    /// <summary>The waiting deletions, sorted and with overlapping ranges merged.</summary>
    public List<(int Start, int End)> Deletes
    {
        get
        {
            if (_deletesUnsorted || _deletes.Count > 1)
            {
                Normalize();
            }

            return _deletes;
        }
    }

    private void Normalize()
    {
        if (_deletesUnsorted)
        {
            _deletes.Sort(static (a, b) => a.Start.CompareTo(b.Start));
            _deletesUnsorted = false;
        }

        int write = 0;
        for (int i = 1; i < _deletes.Count; i++)
        {
            (int start, int end) = _deletes[i];
            if (start <= _deletes[write].End)
            {
                _deletes[write] = (_deletes[write].Start, Math.Max(end, _deletes[write].End));
            }
            else
            {
                _deletes[++write] = (start, end);
            }
        }

        _deletes.RemoveRange(write + 1, _deletes.Count - write - 1);
    }
}

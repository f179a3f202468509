namespace Concord.Crdt;

/// <summary>
/// An add-wins observed-remove set of JSON values. Every add carries a unique tag; a remove names the
/// tags it observed, so an add it did not observe (a concurrent one) survives. Removed tags are kept
/// so that merging states stays idempotent.
/// </summary>
/// <remarks>Elements are compared by their JSON text, so <c>"a"</c> and <c>1</c> are different elements.</remarks>
/// <example><code>
/// var tags = new ObservedRemoveSet();
/// tags.Add("\"home\"", "op1:0");
/// IReadOnlyCollection&lt;string&gt; seen = tags.TagsOf("\"home\"");
/// tags.Remove(seen);
/// </code></example>
public sealed class ObservedRemoveSet
{
    private readonly SortedDictionary<string, SortedSet<string>> _adds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removed = new(StringComparer.Ordinal);

    /// <summary>The elements present, as JSON texts in ordinal order.</summary>
    public IEnumerable<string> Elements => _adds.Keys;

    /// <summary>How many elements are present.</summary>
    public int Count => _adds.Count;

    /// <summary>Tags removed so far (tombstones).</summary>
    public IReadOnlyCollection<string> RemovedTags => _removed;

    /// <summary>Every live (element, tag) pair.</summary>
    public IEnumerable<KeyValuePair<string, string>> Entries =>
        _adds.SelectMany(e => e.Value.Select(tag => new KeyValuePair<string, string>(e.Key, tag)));

    /// <summary>Whether <paramref name="element"/> (JSON text) is present.</summary>
    public bool Contains(string element) => _adds.ContainsKey(element);

    /// <summary>The tags under which <paramref name="element"/> is present: what a remove of it must name.</summary>
    public IReadOnlyCollection<string> TagsOf(string element) =>
        _adds.TryGetValue(element, out SortedSet<string>? tags) ? tags.ToArray() : [];

    /// <summary>Adds <paramref name="element"/> under a new unique <paramref name="tag"/>; a tag already removed stays removed.</summary>
    public void Add(string element, string tag)
    {
        ArgumentNullException.ThrowIfNull(element);
        ArgumentException.ThrowIfNullOrEmpty(tag);
        if (_removed.Contains(tag))
        {
            return;
        }

        if (!_adds.TryGetValue(element, out SortedSet<string>? tags))
        {
            _adds[element] = tags = new SortedSet<string>(StringComparer.Ordinal);
        }

        tags.Add(tag);
    }

    /// <summary>Removes the given tags wherever they are; elements left with no tag disappear.</summary>
    public void Remove(IEnumerable<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var removedNow = new HashSet<string>(StringComparer.Ordinal);
        foreach (string tag in tags)
        {
            if (_removed.Add(tag))
            {
                removedNow.Add(tag);
            }
        }

        if (removedNow.Count == 0)
        {
            return;
        }

        List<string>? empty = null;
        foreach ((string element, SortedSet<string> present) in _adds)
        {
            present.ExceptWith(removedNow);
            if (present.Count == 0)
            {
                (empty ??= []).Add(element);
            }
        }

        empty?.ForEach(e => _adds.Remove(e));
    }

    /// <summary>Merges <paramref name="other"/> into this set: union of adds, union of removes.</summary>
    public void Merge(ObservedRemoveSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this))
        {
            return;
        }

        Remove(other._removed);
        foreach ((string element, SortedSet<string> tags) in other._adds)
        {
            foreach (string tag in tags)
            {
                Add(element, tag);
            }
        }
    }

    /// <summary>A deep copy.</summary>
    public ObservedRemoveSet Clone()
    {
        var copy = new ObservedRemoveSet();
        copy.Merge(this);
        return copy;
    }

    /// <summary>Whether two sets hold the same live entries and the same removed tags.</summary>
    public bool SameAs(ObservedRemoveSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _removed.SetEquals(other._removed) && Entries.SequenceEqual(other.Entries);
    }
}

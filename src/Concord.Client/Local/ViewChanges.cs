using System.Collections;

namespace Concord.Client.Local;

/// <summary>
/// The records whose view rows one committed transaction changed, or may have changed: a local write's
/// record, every record of a pulled page, a record whose rejected or dropped change was rolled back, and
/// the records a finished resync forgot. A push answer that only acknowledges changes none.
/// </summary>
internal sealed class ViewChanges : IReadOnlyCollection<(string Collection, string Id)>
{
    private readonly HashSet<(string Collection, string Id)> _records = [];
    private readonly HashSet<string> _collections = new(StringComparer.Ordinal);

    /// <summary>The collections of the records, each once.</summary>
    public IReadOnlySet<string> Collections => _collections;

    /// <inheritdoc />
    public int Count => _records.Count;

    public void Add(string collection, string id)
    {
        if (_records.Add((collection, id)))
        {
            _collections.Add(collection);
        }
    }

    /// <summary>Whether the record's row is among those changed.</summary>
    public bool Contains(string collection, string id) => _records.Contains((collection, id));

    /// <inheritdoc />
    public IEnumerator<(string Collection, string Id)> GetEnumerator() => _records.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

namespace Concord.Server.Realtime;

/// <summary>The collections a connection pulls, so that one broadcast frame serves every connection that pulls the same ones.</summary>
internal sealed class CollectionFilter
{
    private readonly HashSet<string> _names;

    private CollectionFilter(IEnumerable<string> names)
    {
        _names = new HashSet<string>(names, StringComparer.Ordinal);
        Key = string.Join('\n', _names.Order(StringComparer.Ordinal));
    }

    /// <summary>The same for equal sets of names.</summary>
    public string Key { get; }

    /// <summary>Null (every collection) when <paramref name="names"/> is null.</summary>
    public static CollectionFilter? From(IReadOnlyList<string>? names) => names is null ? null : new CollectionFilter(names);

    public bool Contains(string collection) => _names.Contains(collection);
}

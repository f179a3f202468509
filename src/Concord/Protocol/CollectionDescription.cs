namespace Concord.Protocol;

/// <summary>One declared collection in <c>sync.json</c>.</summary>
public sealed class CollectionDescription
{
    /// <summary>The collection's name.</summary>
    public required string Name { get; init; }

    /// <summary>The conflict policy's name: <c>lww</c> (default), <c>server-wins</c>, <c>client-wins</c> or <c>custom</c>.</summary>
    public required string Policy { get; init; }

    /// <summary>The CRDT fields and their types (<c>counter</c>, <c>set</c>, <c>text</c>); other fields are last-writer-wins.</summary>
    public required IReadOnlyDictionary<string, string> Fields { get; init; }
}

namespace Concord.Protocol;

/// <summary>One declared collection in <c>sync.json</c>.</summary>
public sealed class CollectionDescription
{
    /// <summary>The collection's name.</summary>
    public required string Name { get; init; }

    /// <summary>The conflict policy's name (<c>lww</c> by default).</summary>
    public required string Policy { get; init; }
}

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

    /// <summary>The declared plain fields, when there are any: <c>{"type","required","maxLength"?}</c> each.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, FieldDescription>? Schema { get; init; }

    /// <summary>False when only declared fields are accepted; absent (true) otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public bool? AllowUndeclaredFields { get; init; }
}

using Concord.Records;

namespace Concord.Protocol;

/// <summary>
/// A record's current state in a pull page:
/// <c>{"collection","id","fields","hlcs","deleted":null|"&lt;hlc&gt;","version"}</c>.
/// </summary>
public sealed class RecordMessage
{
    /// <summary>Collection name.</summary>
    public required string Collection { get; init; }

    /// <summary>Record id.</summary>
    public required string Id { get; init; }

    /// <summary>JSON object of the live fields (empty for a tombstone).</summary>
    public required RawJsonValue Fields { get; init; }

    /// <summary>JSON object: each live field's clock reading.</summary>
    public required RawJsonValue Hlcs { get; init; }

    /// <summary>The delete's clock reading while the record is deleted; null while it is alive.</summary>
    public required string? Deleted { get; init; }

    /// <summary>The record's version.</summary>
    public required long Version { get; init; }

    /// <summary>Merge data of the record's CRDT fields, beside their plain values in <see cref="Fields"/>; absent when it has none.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, CrdtStateMessage>? Crdt { get; init; }
}

using System.Text.Json.Serialization;
using Concord.Records;

namespace Concord.Protocol;

/// <summary>
/// A record's current state in a pull page:
/// <c>{"collection","id","fields","hlcs","deleted":null|"&lt;hlc&gt;","version"}</c>.
/// </summary>
public sealed class RecordMessage
{
    /// <summary>Collection name.</summary>
    [JsonRequired]
    public string Collection { get; set; } = null!;

    /// <summary>Record id.</summary>
    [JsonRequired]
    public string Id { get; set; } = null!;

    /// <summary>JSON object of the live fields (empty for a tombstone).</summary>
    [JsonRequired]
    public RawJsonValue Fields { get; set; }

    /// <summary>JSON object: each live field's clock reading.</summary>
    [JsonRequired]
    public RawJsonValue Hlcs { get; set; }

    /// <summary>The delete's clock reading while the record is deleted; null while it is alive.</summary>
    [JsonRequired]
    public string? Deleted { get; set; }

    /// <summary>The record's version.</summary>
    [JsonRequired]
    public long Version { get; set; }

    /// <summary>Merge data of the record's CRDT fields, beside their plain values in <see cref="Fields"/>; absent when it has none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, CrdtStateMessage>? Crdt { get; set; }
}

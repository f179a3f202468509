using System.Text.Json.Serialization;
using Concord.Records;

namespace Concord.Protocol;

/// <summary>One change as it travels in a push: <c>{"opId","collection","id","kind","fields","hlc","baseVersion"?}</c>.</summary>
/// <remarks>Kind and clock stay text here so that a bad value rejects one change, not its whole batch.</remarks>
public sealed class ChangeMessage
{
    /// <summary>Client-made id; the server applies each op id once.</summary>
    [JsonRequired]
    public string OpId { get; set; } = null!;

    /// <summary>Collection name.</summary>
    [JsonRequired]
    public string Collection { get; set; } = null!;

    /// <summary>Record id.</summary>
    [JsonRequired]
    public string Id { get; set; } = null!;

    /// <summary><c>put</c>, <c>patch</c> or <c>delete</c>.</summary>
    [JsonRequired]
    public string Kind { get; set; } = null!;

    /// <summary>A JSON object of the fields written; absent or null for a delete.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RawJsonValue? Fields { get; set; }

    /// <summary>The write's clock reading in wire form.</summary>
    [JsonRequired]
    public string Hlc { get; set; } = null!;

    /// <summary>The record version the client based the change on.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? BaseVersion { get; set; }

    /// <summary>Operations on CRDT fields (counter, set, text), by field name.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, CrdtOperationMessage>? Crdt { get; set; }
}

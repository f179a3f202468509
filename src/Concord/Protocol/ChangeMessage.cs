using System.Text.Json.Serialization;
using Concord.Records;

namespace Concord.Protocol;

/// <summary>One change as it travels in a push: <c>{"opId","collection","id","kind","fields","hlc","baseVersion"?}</c>.</summary>
/// <remarks>Kind and clock stay text here so that a bad value rejects one change, not its whole batch.</remarks>
public sealed class ChangeMessage
{
    /// <summary>Client-made id; the server applies each op id once.</summary>
    public required string OpId { get; init; }

    /// <summary>Collection name.</summary>
    public required string Collection { get; init; }

    /// <summary>Record id.</summary>
    public required string Id { get; init; }

    /// <summary><c>put</c>, <c>patch</c> or <c>delete</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>A JSON object of the fields written; absent or null for a delete.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RawJsonValue? Fields { get; init; }

    /// <summary>The write's clock reading in wire form.</summary>
    public required string Hlc { get; init; }

    /// <summary>The record version the client based the change on.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? BaseVersion { get; init; }

    /// <summary>Operations on CRDT fields (counter, set, text), by field name.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, CrdtOperationMessage>? Crdt { get; init; }
}

using System.Text.Json.Serialization;
using Concord.Records;

namespace Concord.Protocol;

/// <summary>
/// One CRDT operation on one field, in a push change's <c>crdt</c> member:
/// <c>{"type":"counter","delta":n}</c>, <c>{"type":"set","add":[…],"remove":["tag",…]}</c> or
/// <c>{"type":"text","update":"&lt;base64&gt;"}</c>.
/// </summary>
public sealed class CrdtOperationMessage
{
    /// <summary><c>counter</c>, <c>set</c> or <c>text</c>.</summary>
    [JsonRequired]
    public string Type { get; set; } = null!;

    /// <summary>Counter: the amount to add (negative to subtract).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Delta { get; set; }

    /// <summary>Set: values to add; the i-th is tagged <c>{opId}:{i}</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<RawJsonValue>? Add { get; set; }

    /// <summary>Set: the tags to remove (those the client observed for the values it removes).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Remove { get; set; }

    /// <summary>Text: a binary update of the text CRDT.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public byte[]? Update { get; set; }
}

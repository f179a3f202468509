using System.Text.Json.Serialization;

namespace Concord.Protocol;

/// <summary>
/// A CRDT field's merge data, beside its plain value in a pulled record's <c>crdt</c> member:
/// <c>{"type":"counter","p":{…},"n":{…}}</c>, <c>{"type":"set","entries":[{"value","tag"}]}</c>,
/// <c>{"type":"text","state":"&lt;base64&gt;"}</c> or, in a delta pull, <c>{"type":"text","delta":"&lt;base64&gt;"}</c>.
/// </summary>
public sealed class CrdtStateMessage
{
    /// <summary><c>counter</c>, <c>set</c> or <c>text</c>.</summary>
    [JsonRequired]
    public string Type { get; set; } = null!;

    /// <summary>Counter: each replica's total of increments.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, long>? P { get; set; }

    /// <summary>Counter: each replica's total of decrements.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, long>? N { get; set; }

    /// <summary>Set: every live (value, tag) pair.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<SetEntryMessage>? Entries { get; set; }

    /// <summary>Text: the whole CRDT state.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public byte[]? State { get; set; }

    /// <summary>Text: only what changed since the pull's cursor (delta pulls).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public byte[]? Delta { get; set; }
}

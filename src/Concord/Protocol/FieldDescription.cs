using System.Text.Json.Serialization;

namespace Concord.Protocol;

/// <summary>One declared plain field in <c>sync.json</c>.</summary>
public sealed class FieldDescription
{
    /// <summary><c>any</c>, <c>string</c>, <c>number</c>, <c>integer</c>, <c>boolean</c>, <c>object</c> or <c>array</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Whether a put must give it, and no write may clear it.</summary>
    public required bool Required { get; init; }

    /// <summary>Most characters of a string, or items of an array.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MaxLength { get; init; }
}

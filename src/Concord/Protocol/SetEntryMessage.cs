using System.Text.Json.Serialization;
using Concord.Records;

namespace Concord.Protocol;

/// <summary>One live element of a set field and the tag of the add that put it there.</summary>
public sealed class SetEntryMessage
{
    /// <summary>The element.</summary>
    [JsonRequired]
    public RawJsonValue Value { get; set; }

    /// <summary>The add's unique tag.</summary>
    [JsonRequired]
    public string Tag { get; set; } = null!;
}

using Concord.Records;

namespace Concord.Protocol;

/// <summary>One live element of a set field and the tag of the add that put it there.</summary>
public sealed class SetEntryMessage
{
    /// <summary>The element.</summary>
    public required RawJsonValue Value { get; init; }

    /// <summary>The add's unique tag.</summary>
    public required string Tag { get; init; }
}

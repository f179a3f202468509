using System.Text.Json.Serialization;

namespace Concord.Protocol;

/// <summary>One change's outcome: <c>{"opId","status","version"?,"error"?}</c>.</summary>
public sealed class ChangeResultMessage
{
    /// <summary>The op id of the change.</summary>
    public required string OpId { get; init; }

    /// <summary>One of <see cref="ChangeStatus"/>.</summary>
    public required string Status { get; init; }

    /// <summary>The version the change was applied at (absent when rejected).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Version { get; init; }

    /// <summary>Why the change was rejected.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ErrorBody? Error { get; init; }
}

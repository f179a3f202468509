using System.Text.Json.Serialization;

namespace Concord.Protocol;

/// <summary>One change's outcome: <c>{"opId","status","version"?,"error"?}</c>.</summary>
public sealed class ChangeResultMessage
{
    /// <summary>The op id of the change.</summary>
    [JsonRequired]
    public string OpId { get; set; } = null!;

    /// <summary>One of <see cref="ChangeStatus"/>.</summary>
    [JsonRequired]
    public string Status { get; set; } = null!;

    /// <summary>The version the change was applied at (absent when rejected).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Version { get; set; }

    /// <summary>Why the change was rejected.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ErrorBody? Error { get; set; }
}

using System.Text.Json.Serialization;

namespace Concord.Protocol.Realtime;

/// <summary>
/// New records pushed to a connection that was caught up: <c>{"type":"changes","records","cursor","hlc"}</c>,
/// applied as a pull page that has no more after it.
/// </summary>
public sealed class ChangesMessage
{
    /// <summary>The records changed since the connection's cursor, each once, in version order.</summary>
    [JsonRequired]
    public IReadOnlyList<RecordMessage> Records { get; set; } = null!;

    /// <summary>The cursor after these records.</summary>
    [JsonRequired]
    public string Cursor { get; set; } = null!;

    /// <summary>The server's clock reading.</summary>
    [JsonRequired]
    public string Hlc { get; set; } = null!;
}

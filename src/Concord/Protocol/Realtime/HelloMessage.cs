using System.Text.Json.Serialization;

namespace Concord.Protocol.Realtime;

/// <summary>The first frame of a connection: <c>{"type":"hello","protocolVersion","clientId","cursor"?}</c>.</summary>
public sealed class HelloMessage
{
    /// <summary>The protocol version the client speaks.</summary>
    [JsonRequired]
    public int ProtocolVersion { get; set; }

    /// <summary>The replica connecting.</summary>
    [JsonRequired]
    public string ClientId { get; set; } = null!;

    /// <summary>The client's cursor, when it has one: a client that has everything is sent new records at once.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Cursor { get; set; }
}

using System.Text.Json.Serialization;

namespace Concord.Protocol.Realtime;

/// <summary>The answer to <c>hello</c>: <c>{"type":"welcome","protocolVersion","hlc","version"}</c>.</summary>
public sealed class WelcomeMessage
{
    /// <summary>The protocol version the server picked.</summary>
    [JsonRequired]
    public int ProtocolVersion { get; set; }

    /// <summary>The server's clock reading.</summary>
    [JsonRequired]
    public string Hlc { get; set; } = null!;

    /// <summary>The tenant's version as the server knows it.</summary>
    [JsonRequired]
    public long Version { get; set; }
}

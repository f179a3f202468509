using System.Text.Json.Serialization;

namespace Concord.Protocol.Realtime;

/// <summary>The tenant's version moved past what the connection has: <c>{"type":"poke","version"}</c>. Pull.</summary>
public sealed class PokeMessage
{
    /// <summary>The tenant's version.</summary>
    [JsonRequired]
    public long Version { get; set; }
}

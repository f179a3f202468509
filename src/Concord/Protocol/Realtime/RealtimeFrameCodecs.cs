namespace Concord.Protocol.Realtime;

/// <summary>The WebSocket subprotocols and their codecs.</summary>
public static class RealtimeFrameCodecs
{
    /// <summary>Every subprotocol, in the server's order of preference.</summary>
    public static IReadOnlyList<string> Subprotocols { get; } = [JsonFrameCodec.Name, CborFrameCodec.Name];

    /// <summary>The codec of <paramref name="subprotocol"/>, or null when it is not one of <see cref="Subprotocols"/>.</summary>
    /// <example><code>IRealtimeFrameCodec? codec = RealtimeFrameCodecs.Create("concord.v1.cbor", limits);</code></example>
    public static IRealtimeFrameCodec? Create(string subprotocol, ProtocolLimits limits) => subprotocol switch
    {
        JsonFrameCodec.Name => new JsonFrameCodec(limits),
        CborFrameCodec.Name => new CborFrameCodec(limits),
        _ => null,
    };
}

namespace Concord.Server.Realtime;

/// <summary>How a connection's frames are written: the two WebSocket subprotocols, or server-sent events.</summary>
internal enum FrameFormat
{
    Json,
    Cbor,
    EventStream,
}

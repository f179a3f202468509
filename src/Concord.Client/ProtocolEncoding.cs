namespace Concord.Client;

/// <summary>The media type a client speaks with the server.</summary>
public enum ProtocolEncoding
{
    /// <summary><c>application/json</c>.</summary>
    Json,

    /// <summary><c>application/cbor</c>: the same messages, smaller and faster to decode.</summary>
    Cbor,
}

using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Concord.Errors;

namespace Concord.Protocol.Realtime;

/// <summary>Turns realtime frames into WebSocket messages of one subprotocol and back.</summary>
/// <example><code>
/// IRealtimeFrameCodec codec = RealtimeFrameCodecs.Create(JsonFrameCodec.Subprotocol, new ProtocolLimits());
/// if (!codec.TryDecode(message, out RealtimeFrame? frame, out SyncError? error)) { /* answer an error frame */ }
/// </code></example>
public interface IRealtimeFrameCodec
{
    /// <summary>The WebSocket subprotocol, for example <c>concord.v1.json</c>.</summary>
    string Subprotocol { get; }

    /// <summary>Whether frames travel as text messages (JSON) rather than binary ones (CBOR).</summary>
    bool IsText { get; }

    /// <summary>Decodes one message; never throws on bad input.</summary>
    /// <param name="message">The whole WebSocket message.</param>
    /// <param name="frame">The frame, when it decodes.</param>
    /// <param name="error">Why it does not, with the frame's <c>id</c> in <c>meta.id</c> when that much could be read.</param>
    bool TryDecode(ReadOnlyMemory<byte> message, [NotNullWhen(true)] out RealtimeFrame? frame, [NotNullWhen(false)] out FrameError? error);

    /// <summary>Encodes one frame into <paramref name="output"/>.</summary>
    void Encode(RealtimeFrame frame, IBufferWriter<byte> output);
}

using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Formats.Cbor;
using Concord.Errors;
using Concord.Protocol.Cbor;
using Concord.Protocol.Json;
using Concord.Records;

namespace Concord.Protocol.Realtime;

/// <summary>
/// Frames in CBOR binary messages (subprotocol <c>concord.v1.cbor</c>): <c>[type, id, body]</c> in one stringref
/// namespace, the body being the message's CBOR map as over HTTP. A frame in its JSON shape (a map with text
/// keys) is read too.
/// </summary>
/// <example><code>
/// var codec = new CborFrameCodec(new ProtocolLimits());
/// codec.Encode(new RealtimeFrame(FrameTypes.Ping), buffer); // d9 0100 83 64 "ping" f6 f6
/// </code></example>
public sealed class CborFrameCodec : IRealtimeFrameCodec
{
    /// <summary>The subprotocol name.</summary>
    public const string Name = "concord.v1.cbor";

    private readonly ProtocolLimits _limits;
    private readonly CborProtocolCodec _messages;
    private readonly JsonFrameCodec _json;

    /// <summary>Creates a codec that enforces <paramref name="limits"/>.</summary>
    public CborFrameCodec(ProtocolLimits limits)
    {
        _limits = limits ?? throw new ArgumentNullException(nameof(limits));
        _messages = new CborProtocolCodec(limits);
        _json = new JsonFrameCodec(limits);
    }

    /// <inheritdoc />
    public string Subprotocol => Name;

    /// <inheritdoc />
    public bool IsText => false;

    /// <inheritdoc />
    public bool TryDecode(ReadOnlyMemory<byte> message, [NotNullWhen(true)] out RealtimeFrame? frame, [NotNullWhen(false)] out FrameError? error)
    {
        frame = null;
        FrameId? id = null;
        try
        {
            var reader = new CborMessageReader(message, _limits.MaxNestingDepth);
            if (reader.Reader.PeekState() == CborReaderState.StartMap)
            {
                RawJsonValue json = reader.Json(JsonProtocolCodec.EnvelopeDepth + _limits.MaxNestingDepth);
                reader.End();
                return _json.TryDecode(json.Utf8, out frame, out error);
            }

            (string type, id) = CborProtocolCodec.ReadFrameHead(reader);
            if (!FrameTypes.IsKnown(type))
            {
                error = new FrameError(SyncError.BadRequest($"'{(type.Length <= 64 ? type : type[..64])}' is not a frame type.", new Dictionary<string, object> { ["field"] = "type" }), id);
                return false;
            }

            frame = new RealtimeFrame(type, id, _messages.ReadFrameBody(reader, type));
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is FormatException or CborContentException or InvalidOperationException or OverflowException or ArgumentException or System.Text.Json.JsonException)
        {
            error = new FrameError(SyncError.BadRequest($"The frame is not valid CBOR: {ex.Message}"), id);
            return false;
        }
    }

    /// <inheritdoc />
    public void Encode(RealtimeFrame frame, IBufferWriter<byte> output) => _messages.EncodeFrame(frame, output);
}

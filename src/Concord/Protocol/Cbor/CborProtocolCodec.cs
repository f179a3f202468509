using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Formats.Cbor;
using Concord.Errors;
using Concord.Protocol.Json;
using Concord.Records;

namespace Concord.Protocol.Cbor;

/// <summary>
/// The protocol in CBOR (<c>application/cbor</c>, RFC 8949): the same messages as JSON, in a compact form.
/// The hot messages (push, pull, results, records) are maps with small integer keys; repeated strings
/// are stringref references (tags 256/25); canonical UUID ids are tag 37 byte strings; clock readings are
/// <c>[logical, node]</c>; record fields are plain CBOR maps. <c>docs/protocol.md</c> gives the key tables.
/// </summary>
/// <example><code>
/// var codec = new CborProtocolCodec(new ProtocolLimits());
/// byte[] bytes = codec.EncodeToArray(new PullRequest { Cursor = null });
/// </code></example>
public sealed partial class CborProtocolCodec : IProtocolCodec
{
    /// <summary>Writers kept above this size are dropped rather than pooled, so one huge message does not pin its buffer.</summary>
    private const int MaxPooledBytes = 4 * 1024 * 1024;

    private readonly ProtocolLimits _limits;
    private readonly JsonProtocolCodec _json;

    // CborWriter grows its buffer as it writes; a page of records grows it past the large-object-heap threshold,
    // so writers are reused (Reset keeps the buffer) instead of made for each message.
    private readonly System.Collections.Concurrent.ConcurrentBag<CborWriter> _writers = [];

    /// <summary>Creates a codec that enforces <paramref name="limits"/>' nesting depth.</summary>
    public CborProtocolCodec(ProtocolLimits limits)
    {
        _limits = limits ?? throw new ArgumentNullException(nameof(limits));
        _json = new JsonProtocolCodec(limits);
    }

    /// <inheritdoc />
    public string MediaType => "application/cbor";

    /// <inheritdoc />
    public bool TryDecode<T>(ReadOnlyMemory<byte> payload, [NotNullWhen(true)] out T? message, [NotNullWhen(false)] out SyncError? error)
        where T : class
    {
        message = null;
        try
        {
            var reader = new CborMessageReader(payload, _limits.MaxNestingDepth);
            object decoded = typeof(T) switch
            {
                Type t when t == typeof(PushRequest) => ReadPushRequest(reader),
                Type t when t == typeof(PushResponse) => ReadPushResponse(reader),
                Type t when t == typeof(PullRequest) => ReadPullRequest(reader),
                Type t when t == typeof(PullResponse) => ReadPullResponse(reader),
                Type t when t == typeof(ErrorResponse) => ReadErrorResponse(reader),
                Type t when t == typeof(Realtime.ChangesMessage) => ReadChanges(reader),
                Type t when t == typeof(Realtime.HelloMessage) => ReadHello(reader),
                Type t when t == typeof(Realtime.WelcomeMessage) => ReadWelcome(reader),
                Type t when t == typeof(Realtime.PokeMessage) => ReadPoke(reader),
                _ => ReadViaJson<T>(reader),
            };
            reader.End();
            message = (T)decoded;
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is FormatException or CborContentException or InvalidOperationException or OverflowException or ArgumentException or System.Text.Json.JsonException)
        {
            error = SyncError.BadRequest($"The body is not a valid {typeof(T).Name} in CBOR: {ex.Message}");
            return false;
        }
    }

    /// <inheritdoc />
    public void Encode<T>(T message, IBufferWriter<byte> output)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        CborWriter cbor = RentWriter();
        try
        {
            WriteBody(new CborMessageWriter(cbor), message);
            CopyTo(cbor, output);
        }
        finally
        {
            ReturnWriter(cbor);
        }
    }

    private CborWriter RentWriter() =>
        _writers.TryTake(out CborWriter? pooled) ? pooled : new CborWriter(CborConformanceMode.Lax, convertIndefiniteLengthEncodings: false, allowMultipleRootLevelValues: false);

    private void ReturnWriter(CborWriter cbor)
    {
        if (cbor.BytesWritten <= MaxPooledBytes && _writers.Count < Environment.ProcessorCount * 2)
        {
            cbor.Reset();
            _writers.Add(cbor);
        }
    }

    private static void CopyTo(CborWriter cbor, IBufferWriter<byte> output)
    {
        int length = cbor.BytesWritten;
        cbor.Encode(output.GetSpan(length));
        output.Advance(length);
    }

    private void WriteBody(CborMessageWriter writer, object message)
    {
        switch (message)
        {
            case PushRequest push:
                Write(writer, push);
                break;
            case PushResponse response:
                Write(writer, response);
                break;
            case PullRequest pull:
                Write(writer, pull);
                break;
            case PullResponse page:
                Write(writer, page);
                break;
            case ErrorResponse failure:
                Write(writer, failure);
                break;
            case Realtime.ChangesMessage changes:
                Write(writer, changes);
                break;
            case Realtime.HelloMessage hello:
                Write(writer, hello);
                break;
            case Realtime.WelcomeMessage welcome:
                Write(writer, welcome);
                break;
            case Realtime.PokeMessage poke:
                Write(writer, poke);
                break;
            default:
                writer.Json(RawJsonValue.FromValidatedUtf8(_json.EncodeToArray(message)));
                break;
        }
    }

    /// <summary>Encodes one message into a new array.</summary>
    public byte[] EncodeToArray<T>(T message)
        where T : class
    {
        var buffer = new ArrayBufferWriter<byte>();
        Encode(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Messages that are not on a hot path travel as their JSON shape in CBOR.</summary>
    private T ReadViaJson<T>(CborMessageReader reader)
        where T : class
    {
        RawJsonValue json = reader.Json(JsonProtocolCodec.EnvelopeDepth + _limits.MaxNestingDepth);
        return _json.TryDecode(json.Utf8, out T? message, out SyncError? error) ? message : throw new FormatException(error.Message);
    }
}

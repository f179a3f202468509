using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Concord.Errors;
using Concord.Records;

namespace Concord.Protocol.Json;

/// <summary>The protocol in JSON (<c>application/json</c>), with System.Text.Json's generated serializers.</summary>
/// <example><code>
/// var codec = new JsonProtocolCodec(new ProtocolLimits());
/// byte[] json = codec.EncodeToArray(new PullRequest { Cursor = null });
/// </code></example>
public sealed class JsonProtocolCodec : IProtocolCodec
{
    /// <summary>
    /// Containers above a value in the deepest message (a pulled set entry: body, records, record, crdt,
    /// field state, entries, entry). The reader's own depth limit only stops hostile nesting early; each value's
    /// depth is checked from the value itself, so that a value nested <see cref="ProtocolLimits.MaxNestingDepth"/>
    /// deep is accepted wherever it sits, as in CBOR.
    /// </summary>
    internal const int EnvelopeDepth = 7;

    private readonly JsonSerializerOptions _decoding;

    // Encoding checks nothing, and the generated serializers run unmodified.
    private readonly ConcordJsonContext _encoding;

    /// <summary>Creates a codec that enforces <paramref name="limits"/>' nesting depth.</summary>
    public JsonProtocolCodec(ProtocolLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var plain = new JsonSerializerOptions(ConcordJsonContext.Default.Options)
        {
            MaxDepth = EnvelopeDepth + limits.MaxNestingDepth,

            // Messages are data for programs, never embedded in HTML; plain quotes read better in errors.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        _encoding = new ConcordJsonContext(plain);

        // A record's or change's fields are one object holding values: one level more than a value.
        var fields = new RawJsonValueConverter(limits.MaxNestingDepth + 1);
        _decoding = new JsonSerializerOptions(plain)
        {
            TypeInfoResolver = ConcordJsonContext.Default.WithAddedModifier(info => LimitFields(info, fields)),
        };
        _decoding.Converters.Remove(_decoding.Converters.OfType<RawJsonValueConverter>().Single());
        _decoding.Converters.Add(new RawJsonValueConverter(limits.MaxNestingDepth));
        _decoding.MakeReadOnly();
    }

    /// <inheritdoc />
    public string MediaType => "application/json";

    /// <inheritdoc />
    public bool TryDecode<T>(ReadOnlyMemory<byte> payload, [NotNullWhen(true)] out T? message, [NotNullWhen(false)] out SyncError? error)
        where T : class
    {
        try
        {
            message = JsonSerializer.Deserialize(payload.Span, DecodingInfo<T>());
        }
        catch (JsonException ex)
        {
            message = null;
            error = SyncError.BadRequest(
                $"The body is not a valid {typeof(T).Name}: {Describe(ex)}",
                ex.Path is null ? null : new Dictionary<string, object> { ["path"] = ex.Path });
            return false;
        }

        if (message is null)
        {
            error = SyncError.BadRequest($"The body is not a valid {typeof(T).Name}: it is null.");
            return false;
        }

        error = null;
        return true;
    }

    /// <inheritdoc />
    public void Encode<T>(T message, IBufferWriter<byte> output)
        where T : class
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true, MaxDepth = _encoding.Options.MaxDepth });
        JsonSerializer.Serialize(writer, message, _encoding.GetTypeInfo(typeof(T)) as JsonTypeInfo<T> ?? throw NotAMessage<T>());
    }

    /// <summary>Encodes one message into a new array.</summary>
    public byte[] EncodeToArray<T>(T message)
        where T : class
    {
        var buffer = new ArrayBufferWriter<byte>();
        Encode(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes a message whose type is known only at run time.</summary>
    internal byte[] EncodeToArray(object message) =>
        JsonSerializer.SerializeToUtf8Bytes(message, _encoding.GetTypeInfo(message.GetType()) ?? throw new NotSupportedException($"{message.GetType().Name} is not a protocol message."));

    private JsonTypeInfo<T> DecodingInfo<T>() =>
        _decoding.TryGetTypeInfo(typeof(T), out JsonTypeInfo? info) && info is JsonTypeInfo<T> typed ? typed : throw NotAMessage<T>();

    private static NotSupportedException NotAMessage<T>() => new($"{typeof(T).Name} is not a protocol message.");

    private static void LimitFields(JsonTypeInfo info, RawJsonValueConverter fields)
    {
        if (info.Type != typeof(ChangeMessage) && info.Type != typeof(RecordMessage))
        {
            return;
        }

        foreach (JsonPropertyInfo property in info.Properties)
        {
            if (property.Name == "fields")
            {
                property.CustomConverter = property.PropertyType == typeof(RawJsonValue?) ? new NullableRawJsonValueConverter(fields) : fields;
            }
        }
    }

    /// <summary>
    /// The serializer's message names .NET types and may quote the input; keep it short so that a
    /// hostile body cannot make the error as large as itself.
    /// </summary>
    private static string Describe(JsonException ex)
    {
        string text = ex.Message;
        int cut = text.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            text = text[..cut];
        }

        return text.Length <= 300 ? text : string.Concat(text.AsSpan(0, 300), "…");
    }
}

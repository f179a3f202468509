using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Concord.Errors;

namespace Concord.Protocol.Json;

/// <summary>The protocol in JSON (<c>application/json</c>), with System.Text.Json's generated serializers.</summary>
/// <example><code>
/// var codec = new JsonProtocolCodec(new ProtocolLimits());
/// byte[] json = codec.EncodeToArray(new PullRequest { Cursor = null });
/// </code></example>
public sealed class JsonProtocolCodec : IProtocolCodec
{
    /// <summary>
    /// Containers above a field value in the deepest message (push: body, changes, change, fields),
    /// so that the reader's depth limit lands exactly on <see cref="ProtocolLimits.MaxNestingDepth"/>.
    /// </summary>
    internal const int EnvelopeDepth = 4;

    private readonly ConcordJsonContext _context;

    /// <summary>Creates a codec that enforces <paramref name="limits"/>' nesting depth.</summary>
    public JsonProtocolCodec(ProtocolLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var options = new JsonSerializerOptions(ConcordJsonContext.Default.Options)
        {
            MaxDepth = EnvelopeDepth + limits.MaxNestingDepth,

            // Messages are data for programs, never embedded in HTML; plain quotes read better in errors.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        _context = new ConcordJsonContext(options);
    }

    /// <inheritdoc />
    public string MediaType => "application/json";

    /// <inheritdoc />
    public bool TryDecode<T>(ReadOnlyMemory<byte> payload, [NotNullWhen(true)] out T? message, [NotNullWhen(false)] out SyncError? error)
        where T : class
    {
        try
        {
            message = JsonSerializer.Deserialize(payload.Span, TypeInfo<T>());
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
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true, MaxDepth = _context.Options.MaxDepth });
        JsonSerializer.Serialize(writer, message, TypeInfo<T>());
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
        JsonSerializer.SerializeToUtf8Bytes(message, _context.GetTypeInfo(message.GetType()) ?? throw new NotSupportedException($"{message.GetType().Name} is not a protocol message."));

    private JsonTypeInfo<T> TypeInfo<T>() =>
        _context.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
        ?? throw new NotSupportedException($"{typeof(T).Name} is not a protocol message.");

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

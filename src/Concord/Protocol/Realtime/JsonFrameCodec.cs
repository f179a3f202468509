using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Concord.Buffers;
using Concord.Errors;
using Concord.Protocol.Json;

namespace Concord.Protocol.Realtime;

/// <summary>
/// Frames in JSON text messages (subprotocol <c>concord.v1.json</c>): one object with <c>type</c>, <c>id</c>
/// and the members of the message the type names, which are exactly those of the HTTP body of that message.
/// </summary>
/// <example><code>
/// var codec = new JsonFrameCodec(new ProtocolLimits());
/// codec.Encode(new RealtimeFrame(FrameTypes.Ping), buffer); // {"type":"ping"}
/// </code></example>
public sealed class JsonFrameCodec : IRealtimeFrameCodec
{
    /// <summary>The subprotocol name.</summary>
    public const string Name = "concord.v1.json";

    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    private readonly JsonProtocolCodec _messages;
    private readonly int _maxDepth;

    /// <summary>Creates a codec that enforces <paramref name="limits"/>.</summary>
    public JsonFrameCodec(ProtocolLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _messages = new JsonProtocolCodec(limits);
        _maxDepth = JsonProtocolCodec.EnvelopeDepth + limits.MaxNestingDepth;
    }

    /// <inheritdoc />
    public string Subprotocol => Name;

    /// <inheritdoc />
    public bool IsText => true;

    /// <inheritdoc />
    public bool TryDecode(ReadOnlyMemory<byte> message, [NotNullWhen(true)] out RealtimeFrame? frame, [NotNullWhen(false)] out FrameError? error)
    {
        frame = null;
        using var body = new PooledBufferWriter(message.Length + 2);
        if (!TrySplit(message.Span, body, out string? type, out FrameId? id, out SyncError? problem))
        {
            error = new FrameError(problem, id);
            return false;
        }

        Type? bodyType = FrameTypes.BodyType(type);
        if (bodyType is null)
        {
            if (body.WrittenSpan.Length > 2)
            {
                error = new FrameError(SyncError.BadRequest($"A {type} frame has no members but type and id."), id);
                return false;
            }

            frame = new RealtimeFrame(type, id);
            error = null;
            return true;
        }

        // The body is decoded exactly as the HTTP body of the same message, with the same strictness.
        if (!TryDecodeBody(bodyType, body.WrittenMemory, out object? decoded, out problem))
        {
            error = new FrameError(problem, id);
            return false;
        }

        frame = new RealtimeFrame(type, id, decoded);
        error = null;
        return true;
    }

    /// <inheritdoc />
    public void Encode(RealtimeFrame frame, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(output);
        using (var envelope = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            envelope.WriteStartObject();
            envelope.WriteString("type"u8, frame.Type);
            if (frame.Id is { } id)
            {
                if (id.IsNumber)
                {
                    envelope.WriteNumber("id"u8, id.Number);
                }
                else
                {
                    envelope.WriteString("id"u8, id.Text);
                }
            }

            // Left open: the body's members follow, written by the message codec itself.
            envelope.Flush();
        }

        if (frame.Body is null)
        {
            Write(output, "}"u8);
            return;
        }

        using var body = new PooledBufferWriter(16 * 1024);
        EncodeBody(frame.Body, body);
        ReadOnlySpan<byte> members = body.WrittenSpan[1..];
        if (members.Length > 1)
        {
            Write(output, ","u8);
        }

        Write(output, members);
    }

    /// <summary>
    /// Reads the frame's <c>type</c> and <c>id</c> and copies every other member into <paramref name="body"/>
    /// as one object, in the order they came.
    /// </summary>
    private bool TrySplit(ReadOnlySpan<byte> json, PooledBufferWriter body, [NotNullWhen(true)] out string? type, out FrameId? id, [NotNullWhen(false)] out SyncError? error)
    {
        type = null;
        id = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = _maxDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = SyncError.BadRequest("A frame is one JSON object.");
                return false;
            }

            Write(body, "{"u8);
            bool first = true;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int start = (int)reader.TokenStartIndex;
                if (reader.ValueTextEquals("type"u8))
                {
                    if (type is not null || !reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        error = SyncError.BadRequest("type must be given once, as a string.", Meta("type"));
                        return false;
                    }

                    type = reader.GetString()!;
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    if (id is not null || !reader.Read() || !TryReadId(ref reader, out id))
                    {
                        id = null;
                        error = SyncError.BadRequest($"id must be given once, as a string of 1-{FrameId.MaxLength} characters or a non-negative integer.", Meta("id"));
                        return false;
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                    if (!first)
                    {
                        Write(body, ","u8);
                    }

                    Write(body, json[start..(int)reader.BytesConsumed]);
                    first = false;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                error = SyncError.BadRequest("A frame is one JSON object.");
                return false;
            }

            Write(body, "}"u8);
        }
        catch (JsonException ex)
        {
            error = SyncError.BadRequest($"The frame is not valid JSON: {ex.Message.Split(" Path:")[0]}");
            return false;
        }

        if (type is null)
        {
            error = SyncError.BadRequest("A frame names its type.", Meta("type"));
            return false;
        }

        if (!FrameTypes.IsKnown(type))
        {
            error = SyncError.BadRequest($"'{Shorten(type)}' is not a frame type.", Meta("type"));
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryReadId(ref Utf8JsonReader reader, out FrameId? id)
    {
        id = null;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long number) && number >= 0)
        {
            id = FrameId.From(number);
            return true;
        }

        if (reader.TokenType == JsonTokenType.String && reader.GetString() is { } text && FrameId.IsValid(text))
        {
            id = FrameId.From(text);
            return true;
        }

        return false;
    }

    private bool TryDecodeBody(Type type, ReadOnlyMemory<byte> json, [NotNullWhen(true)] out object? body, [NotNullWhen(false)] out SyncError? error)
    {
        bool ok;
        (ok, body, error) = type switch
        {
            _ when type == typeof(HelloMessage) => Decode<HelloMessage>(json),
            _ when type == typeof(WelcomeMessage) => Decode<WelcomeMessage>(json),
            _ when type == typeof(PushRequest) => Decode<PushRequest>(json),
            _ when type == typeof(PushResponse) => Decode<PushResponse>(json),
            _ when type == typeof(PullRequest) => Decode<PullRequest>(json),
            _ when type == typeof(PullResponse) => Decode<PullResponse>(json),
            _ when type == typeof(ChangesMessage) => Decode<ChangesMessage>(json),
            _ when type == typeof(PokeMessage) => Decode<PokeMessage>(json),
            _ => Decode<ErrorResponse>(json),
        };
        return ok;
    }

    private (bool, object?, SyncError?) Decode<T>(ReadOnlyMemory<byte> json)
        where T : class =>
        _messages.TryDecode(json, out T? message, out SyncError? error) ? (true, message, null) : (false, null, error);

    private void EncodeBody(object body, IBufferWriter<byte> output)
    {
        switch (body)
        {
            case PushRequest m: _messages.Encode(m, output); break;
            case PushResponse m: _messages.Encode(m, output); break;
            case PullRequest m: _messages.Encode(m, output); break;
            case PullResponse m: _messages.Encode(m, output); break;
            case ChangesMessage m: _messages.Encode(m, output); break;
            case HelloMessage m: _messages.Encode(m, output); break;
            case WelcomeMessage m: _messages.Encode(m, output); break;
            case PokeMessage m: _messages.Encode(m, output); break;
            case ErrorResponse m: _messages.Encode(m, output); break;
            default: output.Write(EmptyObject); break;
        }
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => output.Write(bytes);

    private static Dictionary<string, object> Meta(string field) => new() { ["field"] = field };

    private static string Shorten(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");
}

using System.Buffers;
using System.Formats.Cbor;
using Concord.Protocol.Realtime;

namespace Concord.Protocol.Cbor;

/// <summary>
/// Realtime frames: <c>[type, id, body]</c> in one stringref namespace, the body being the message's map as over
/// HTTP (null for ping and pong), and the messages only frames carry.
/// </summary>
public sealed partial class CborProtocolCodec
{
    /// <summary>Encodes one realtime frame.</summary>
    internal void EncodeFrame(RealtimeFrame frame, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(output);
        CborWriter cbor = RentWriter();
        try
        {
            var w = new CborMessageWriter(cbor);
            cbor.WriteStartArray(3);
            w.Text(frame.Type);
            switch (frame.Id)
            {
                case null:
                    cbor.WriteNull();
                    break;
                case { IsNumber: true } number:
                    cbor.WriteInt64(number.Number);
                    break;
                case { } text:
                    w.Text(text.Text!);
                    break;
            }

            if (frame.Body is null)
            {
                cbor.WriteNull();
            }
            else
            {
                WriteBody(w, frame.Body);
            }

            cbor.WriteEndArray();
            CopyTo(cbor, output);
        }
        finally
        {
            ReturnWriter(cbor);
        }
    }

    /// <summary>
    /// Reads the frame's type and id; the body is left for <see cref="ReadFrameBody"/>, so that a body that fails
    /// can still be answered with the request's id.
    /// </summary>
    internal static (string Type, FrameId? Id) ReadFrameHead(CborMessageReader r)
    {
        if (r.Reader.PeekState() != CborReaderState.StartArray || r.Reader.ReadStartArray() != 3)
        {
            throw new FormatException("A frame is the array [type, id, body].");
        }

        string type = r.Text();
        FrameId? id = r.Reader.PeekState() switch
        {
            CborReaderState.Null => ReadNull(r),
            CborReaderState.UnsignedInteger => r.Reader.ReadUInt64() is var n && n <= long.MaxValue ? FrameId.From((long)n) : throw new FormatException("id is too large."),
            _ => r.Text() is var text && FrameId.IsValid(text) ? FrameId.From(text) : throw new FormatException($"id must be a string of 1-{FrameId.MaxLength} characters or a non-negative integer."),
        };
        return (type, id);
    }

    /// <summary>Reads the body of a frame whose head <see cref="ReadFrameHead"/> read, and the end of the frame.</summary>
    internal object? ReadFrameBody(CborMessageReader r, string type)
    {
        object? body = FrameTypes.BodyType(type) switch
        {
            null => r.IsNull() ? null : throw new FormatException($"A {type} frame has a null body."),
            Type t when t == typeof(HelloMessage) => ReadHello(r),
            Type t when t == typeof(WelcomeMessage) => ReadWelcome(r),
            Type t when t == typeof(PushRequest) => ReadPushRequest(r),
            Type t when t == typeof(PushResponse) => ReadPushResponse(r),
            Type t when t == typeof(PullRequest) => ReadPullRequest(r),
            Type t when t == typeof(PullResponse) => ReadPullResponse(r),
            Type t when t == typeof(ChangesMessage) => ReadChanges(r),
            Type t when t == typeof(PokeMessage) => ReadPoke(r),
            _ => ReadErrorResponse(r),
        };
        if (r.Reader.PeekState() != CborReaderState.EndArray)
        {
            throw new FormatException("A frame is the array [type, id, body].");
        }

        r.Reader.ReadEndArray();
        r.End();
        return body;
    }

    private static FrameId? ReadNull(CborMessageReader r)
    {
        r.Reader.ReadNull();
        return null;
    }

    private static void Write(CborMessageWriter w, HelloMessage hello)
    {
        w.Writer.WriteStartMap(hello.Cursor is null ? 2 : 3);
        w.Writer.WriteUInt32(0);
        w.Writer.WriteInt32(hello.ProtocolVersion);
        w.Writer.WriteUInt32(1);
        w.Id(hello.ClientId);
        if (hello.Cursor is { } cursor)
        {
            w.Writer.WriteUInt32(2);
            w.Text(cursor);
        }

        w.Writer.WriteEndMap();
    }

    private static void Write(CborMessageWriter w, WelcomeMessage welcome)
    {
        w.Writer.WriteStartMap(3);
        w.Writer.WriteUInt32(0);
        w.Writer.WriteInt32(welcome.ProtocolVersion);
        w.Writer.WriteUInt32(1);
        w.Hlc(welcome.Hlc);
        w.Writer.WriteUInt32(2);
        w.Writer.WriteInt64(welcome.Version);
        w.Writer.WriteEndMap();
    }

    /// <summary>The keys of a pull answer, without <c>hasMore</c> (2): there never is more.</summary>
    private static void Write(CborMessageWriter w, ChangesMessage changes)
    {
        w.Writer.WriteStartMap(3);
        w.Writer.WriteUInt32(0);
        Write(w, changes.Records);
        w.Writer.WriteUInt32(1);
        w.Text(changes.Cursor);
        w.Writer.WriteUInt32(3);
        w.Hlc(changes.Hlc);
        w.Writer.WriteEndMap();
    }

    private static void Write(CborMessageWriter w, PokeMessage poke)
    {
        w.Writer.WriteStartMap(1);
        w.Writer.WriteUInt32(0);
        w.Writer.WriteInt64(poke.Version);
        w.Writer.WriteEndMap();
    }

    private static HelloMessage ReadHello(CborMessageReader r)
    {
        int? version = null;
        string? clientId = null, cursor = null;
        r.StartMap();
        ulong seen = 0;
        while (r.NextKey() is int key)
        {
            Once(ref seen, key);
            switch (key)
            {
                case 0:
                    version = checked((int)r.Integer());
                    break;
                case 1:
                    clientId = r.Id();
                    break;
                case 2:
                    cursor = r.OptionalText();
                    break;
                default:
                    throw Unknown(key);
            }
        }

        return new HelloMessage { ProtocolVersion = version ?? throw Missing("protocolVersion"), ClientId = clientId ?? throw Missing("clientId"), Cursor = cursor };
    }

    private static WelcomeMessage ReadWelcome(CborMessageReader r)
    {
        int? version = null;
        string? hlc = null;
        long? tenantVersion = null;
        r.StartMap();
        ulong seen = 0;
        while (r.NextKey() is int key)
        {
            Once(ref seen, key);
            switch (key)
            {
                case 0:
                    version = checked((int)r.Integer());
                    break;
                case 1:
                    hlc = r.Hlc();
                    break;
                case 2:
                    tenantVersion = r.Integer();
                    break;
                default:
                    throw Unknown(key);
            }
        }

        return new WelcomeMessage { ProtocolVersion = version ?? throw Missing("protocolVersion"), Hlc = hlc ?? throw Missing("hlc"), Version = tenantVersion ?? throw Missing("version") };
    }

    private ChangesMessage ReadChanges(CborMessageReader r)
    {
        List<RecordMessage>? records = null;
        string? cursor = null, hlc = null;
        r.StartMap();
        ulong seen = 0;
        while (r.NextKey() is int key)
        {
            Once(ref seen, key);
            switch (key)
            {
                case 0:
                    records = r.Array(x => ReadRecord(x));
                    break;
                case 1:
                    cursor = r.Text();
                    break;
                case 3:
                    hlc = r.Hlc();
                    break;
                default:
                    throw Unknown(key);
            }
        }

        return new ChangesMessage { Records = records ?? throw Missing("records"), Cursor = cursor ?? throw Missing("cursor"), Hlc = hlc ?? throw Missing("hlc") };
    }

    private static PokeMessage ReadPoke(CborMessageReader r)
    {
        long? version = null;
        r.StartMap();
        ulong seen = 0;
        while (r.NextKey() is int key)
        {
            Once(ref seen, key);
            version = key == 0 ? r.Integer() : throw Unknown(key);
        }

        return new PokeMessage { Version = version ?? throw Missing("version") };
    }
}

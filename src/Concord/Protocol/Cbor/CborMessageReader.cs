using System.Buffers;
using System.Formats.Cbor;
using System.Text;
using System.Text.Json;
using Concord.Records;

namespace Concord.Protocol.Cbor;

/// <summary>
/// Reads what <see cref="CborMessageWriter"/> writes, and the plain forms too (strings for ids and clock
/// readings, no stringref namespace). Every malformed input ends in <see cref="FormatException"/> or
/// <see cref="CborContentException"/>; limits on nesting are checked as items are read.
/// </summary>
internal sealed class CborMessageReader
{
    private readonly List<ReadOnlyMemory<byte>> _strings = [];
    private readonly List<string?> _stringCache = [];
    private readonly List<ReadOnlyMemory<byte>> _keys = [];
    private readonly int _maxJsonDepth;
    private readonly ArrayBufferWriter<byte> _json = new(512);
    private readonly Utf8JsonWriter _jsonWriter;
    private bool _namespace;

    public CborMessageReader(ReadOnlyMemory<byte> data, int maxJsonDepth)
    {
        Reader = new CborReader(data, CborConformanceMode.Lax, allowMultipleRootLevelValues: false);
        _maxJsonDepth = maxJsonDepth;
        _jsonWriter = new Utf8JsonWriter(_json, new JsonWriterOptions { SkipValidation = true });
        if (Reader.PeekState() == CborReaderState.Tag && Reader.PeekTag() == (CborTag)CborStringTable.NamespaceTag)
        {
            Reader.ReadTag();
            _namespace = true;
        }
    }

    public CborReader Reader { get; }

    /// <summary>Fails unless the whole input was one item.</summary>
    public void End()
    {
        if (Reader.BytesRemaining != 0)
        {
            throw new FormatException("Bytes follow the message.");
        }
    }

    /// <summary>Starts a map with small unsigned integer keys; returns its count, or null when indefinite.</summary>
    public int? StartMap()
    {
        if (Reader.PeekState() != CborReaderState.StartMap)
        {
            throw new FormatException("Expected a map.");
        }

        return Reader.ReadStartMap();
    }

    /// <summary>The next key of a map with integer keys, or null at its end.</summary>
    public int? NextKey()
    {
        if (Reader.PeekState() == CborReaderState.EndMap)
        {
            Reader.ReadEndMap();
            return null;
        }

        if (Reader.PeekState() != CborReaderState.UnsignedInteger)
        {
            throw new FormatException("Expected an unsigned integer key.");
        }

        ulong key = Reader.ReadUInt64();
        return key > 64 ? throw new FormatException("Unknown key.") : (int)key;
    }

    /// <summary>The next item of an array, false at its end.</summary>
    public bool NextItem()
    {
        if (Reader.PeekState() == CborReaderState.EndArray)
        {
            Reader.ReadEndArray();
            return false;
        }

        return true;
    }

    public void StartArray()
    {
        if (Reader.PeekState() != CborReaderState.StartArray)
        {
            throw new FormatException("Expected an array.");
        }

        Reader.ReadStartArray();
    }

    public bool IsNull()
    {
        if (Reader.PeekState() == CborReaderState.Null)
        {
            Reader.ReadNull();
            return true;
        }

        return false;
    }

    public string Text()
    {
        // A referenced string is usually a repeated one (a collection name, a node id): make it once.
        if (Reader.PeekState() == CborReaderState.Tag && _namespace && Reader.PeekTag() == (CborTag)CborStringTable.ReferenceTag)
        {
            ReadOnlyMemory<byte> referenced = Utf8Text();
            int index = _lastReference;
            return _stringCache[index] ??= Encoding.UTF8.GetString(referenced.Span);
        }

        return Encoding.UTF8.GetString(Utf8Text().Span);
    }

    private int _lastReference;

    /// <summary>A text string (or a reference to one) as its UTF-8 bytes, without allocating a string.</summary>
    public ReadOnlyMemory<byte> Utf8Text()
    {
        if (Reader.PeekState() == CborReaderState.Tag)
        {
            if (Reader.PeekTag() != (CborTag)CborStringTable.ReferenceTag || !_namespace)
            {
                throw new FormatException("Unexpected tag.");
            }

            Reader.ReadTag();
            ulong index = Reader.ReadUInt64();
            _lastReference = (int)Math.Min(index, int.MaxValue);
            return index < (ulong)_strings.Count && _isText[(int)index]
                ? _strings[(int)index]
                : throw new FormatException("A string reference points at no text string.");
        }

        ReadOnlyMemory<byte> value = Reader.PeekState() switch
        {
            CborReaderState.TextString => Reader.ReadDefiniteLengthTextStringBytes(),
            CborReaderState.StartIndefiniteLengthTextString => Encoding.UTF8.GetBytes(Reader.ReadTextString()),
            _ => throw new FormatException("Expected a text string."),
        };
        if (!System.Text.Unicode.Utf8.IsValid(value.Span))
        {
            throw new FormatException("A text string is not valid UTF-8.");
        }

        Remember(value, value.Length);
        return value;
    }

    public string? OptionalText() => IsNull() ? null : Text();

    public byte[] Bytes()
    {
        if (Reader.PeekState() != CborReaderState.ByteString)
        {
            throw new FormatException("Expected a byte string.");
        }

        byte[] value = Reader.ReadByteString();
        Remember(ReadOnlyMemory<byte>.Empty, value.Length, isText: false);
        return value;
    }

    public string Id()
    {
        if (Reader.PeekState() == CborReaderState.Tag && Reader.PeekTag() == (CborTag)CborMessageWriter.UuidTagValue)
        {
            Reader.ReadTag();
            byte[] bytes = Bytes();
            return bytes.Length == 16 ? CborMessageWriter.UuidText(bytes) : throw new FormatException("A UUID is 16 bytes.");
        }

        return Text();
    }

    public string Hlc()
    {
        if (Reader.PeekState() != CborReaderState.StartArray)
        {
            return Text();
        }

        int? count = Reader.ReadStartArray();
        if (count != 2)
        {
            throw new FormatException("A clock reading is [logical, node].");
        }

        ulong logical = Reader.ReadUInt64();
        string node = Text();
        Reader.ReadEndArray();
        return CborMessageWriter.HlcText(logical, node);
    }

    public string? OptionalHlc() => IsNull() ? null : Hlc();

    public long Integer() => Reader.PeekState() switch
    {
        CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger => Reader.ReadInt64(),
        _ => throw new FormatException("Expected an integer."),
    };

    public bool Boolean() => Reader.PeekState() == CborReaderState.Boolean ? Reader.ReadBoolean() : throw new FormatException("Expected a boolean.");

    /// <summary>A CBOR item as a JSON value, nested at most the configured depth (or <paramref name="maxDepth"/>).</summary>
    public RawJsonValue Json(int? maxDepth = null)
    {
        _json.ResetWrittenCount();
        _jsonWriter.Reset(_json);
        WriteJson(_jsonWriter, maxDepth ?? _maxJsonDepth);
        _jsonWriter.Flush();
        return RawJsonValue.FromValidatedUtf8(_json.WrittenSpan.ToArray());
    }

    /// <summary>A map of field name to clock reading as the protocol's <c>hlcs</c> JSON object.</summary>
    public RawJsonValue HlcMap()
    {
        _json.ResetWrittenCount();
        _jsonWriter.Reset(_json);
        _jsonWriter.WriteStartObject();
        StartMap();
        Span<byte> text = stackalloc byte[Clock.HlcTimestamp.HexLength + 1 + Clock.HlcTimestamp.MaxNodeIdLength];
        while (Reader.PeekState() != CborReaderState.EndMap)
        {
            _jsonWriter.WritePropertyName(Utf8Text().Span);
            if (Reader.PeekState() == CborReaderState.StartArray)
            {
                Reader.ReadStartArray();
                ulong logical = Reader.ReadUInt64();
                ReadOnlySpan<byte> node = Utf8Text().Span;
                Reader.ReadEndArray();
                if (node.Length is 0 or > Clock.HlcTimestamp.MaxNodeIdLength)
                {
                    throw new FormatException("A clock reading's node id is 1-64 characters.");
                }

                System.Buffers.Text.Utf8Formatter.TryFormat(logical, text, out _, new StandardFormat('x', Clock.HlcTimestamp.HexLength));
                text[Clock.HlcTimestamp.HexLength] = (byte)'-';
                node.CopyTo(text[(Clock.HlcTimestamp.HexLength + 1)..]);
                _jsonWriter.WriteStringValue(text[..(Clock.HlcTimestamp.HexLength + 1 + node.Length)]);
            }
            else
            {
                _jsonWriter.WriteStringValue(Utf8Text().Span);
            }
        }

        Reader.ReadEndMap();
        _jsonWriter.WriteEndObject();
        _jsonWriter.Flush();
        return RawJsonValue.FromValidatedUtf8(_json.WrittenSpan.ToArray());
    }

    public void Skip() => Reader.SkipValue();

    private void WriteJson(Utf8JsonWriter writer, int depth)
    {
        switch (Reader.PeekState())
        {
            case CborReaderState.StartMap:
                Nest(ref depth);
                Reader.ReadStartMap();
                writer.WriteStartObject();
                int first = _keys.Count;
                while (Reader.PeekState() != CborReaderState.EndMap)
                {
                    ReadOnlyMemory<byte> name = Utf8Text();
                    for (int i = first; i < _keys.Count; i++)
                    {
                        if (_keys[i].Span.SequenceEqual(name.Span))
                        {
                            throw new FormatException("A map names a key twice.");
                        }
                    }

                    _keys.Add(name);
                    writer.WritePropertyName(name.Span);
                    WriteJson(writer, depth);
                }

                _keys.RemoveRange(first, _keys.Count - first);
                Reader.ReadEndMap();
                writer.WriteEndObject();
                break;
            case CborReaderState.StartArray:
                Nest(ref depth);
                Reader.ReadStartArray();
                writer.WriteStartArray();
                while (Reader.PeekState() != CborReaderState.EndArray)
                {
                    WriteJson(writer, depth);
                }

                Reader.ReadEndArray();
                writer.WriteEndArray();
                break;
            case CborReaderState.TextString or CborReaderState.StartIndefiniteLengthTextString or CborReaderState.Tag:
                writer.WriteStringValue(Utf8Text().Span);
                break;
            case CborReaderState.UnsignedInteger:
                writer.WriteNumberValue(Reader.ReadUInt64());
                break;
            case CborReaderState.NegativeInteger:
                writer.WriteNumberValue(Reader.ReadInt64());
                break;
            case CborReaderState.HalfPrecisionFloat or CborReaderState.SinglePrecisionFloat or CborReaderState.DoublePrecisionFloat:
                double number = Reader.ReadDouble();
                if (!double.IsFinite(number))
                {
                    throw new FormatException("JSON has no NaN or infinity.");
                }

                writer.WriteNumberValue(number);
                break;
            case CborReaderState.Boolean:
                writer.WriteBooleanValue(Reader.ReadBoolean());
                break;
            case CborReaderState.Null:
                Reader.ReadNull();
                writer.WriteNullValue();
                break;
            default:
                throw new FormatException("This CBOR item has no JSON equivalent.");
        }
    }

    private static void Nest(ref int depth)
    {
        if (--depth < 0)
        {
            throw new FormatException("A value is nested deeper than the server allows.");
        }
    }

    private readonly List<bool> _isText = [];

    private void Remember(ReadOnlyMemory<byte> value, int byteLength, bool isText = true)
    {
        if (_namespace && CborStringTable.Qualifies(byteLength, _strings.Count))
        {
            _strings.Add(value);
            _stringCache.Add(null);
            _isText.Add(isText);
        }
    }
}

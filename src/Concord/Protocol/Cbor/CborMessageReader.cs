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
    private readonly List<string?> _strings = [];
    private readonly int _maxJsonDepth;
    private bool _namespace;

    public CborMessageReader(ReadOnlyMemory<byte> data, int maxJsonDepth)
    {
        Reader = new CborReader(data, CborConformanceMode.Lax, allowMultipleRootLevelValues: false);
        _maxJsonDepth = maxJsonDepth;
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
        if (Reader.PeekState() == CborReaderState.Tag)
        {
            if (Reader.PeekTag() != (CborTag)CborStringTable.ReferenceTag || !_namespace)
            {
                throw new FormatException("Unexpected tag.");
            }

            Reader.ReadTag();
            ulong index = Reader.ReadUInt64();
            return index < (ulong)_strings.Count && _strings[(int)index] is { } text ? text : throw new FormatException("A string reference points at no string.");
        }

        if (Reader.PeekState() != CborReaderState.TextString)
        {
            throw new FormatException("Expected a text string.");
        }

        string value = Reader.ReadTextString();
        Remember(value, Encoding.UTF8.GetByteCount(value));
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
        Remember(null, value.Length);
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
        int depth = maxDepth ?? _maxJsonDepth;
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { MaxDepth = depth + 1, SkipValidation = true }))
        {
            WriteJson(writer, depth);
        }

        return RawJsonValue.FromValidatedUtf8(buffer.WrittenSpan.ToArray());
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
                var names = new HashSet<string>(StringComparer.Ordinal);
                while (Reader.PeekState() != CborReaderState.EndMap)
                {
                    string name = Text();
                    if (!names.Add(name))
                    {
                        throw new FormatException("A map names a key twice.");
                    }

                    writer.WritePropertyName(name);
                    WriteJson(writer, depth);
                }

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
            case CborReaderState.TextString or CborReaderState.Tag:
                writer.WriteStringValue(Text());
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

    private void Remember(string? value, int byteLength)
    {
        if (_namespace && CborStringTable.Qualifies(byteLength, _strings.Count))
        {
            _strings.Add(value);
        }
    }
}

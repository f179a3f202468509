using System.Buffers;
using System.Formats.Cbor;
using System.Globalization;
using System.Numerics;
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
    private static readonly SearchValues<byte> NodeIdBytes = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~-"u8);

    /// <summary>Longest bignum magnitude that may still have <see cref="JsonNumberParts.MaxDigits"/> digits or fewer (10^1000 &lt; 2^3328).</summary>
    private const int MaxBigNumBytes = 416;

    private readonly StringTable _strings = new();
    private readonly Dictionary<int, string> _madeStrings = [];
    private readonly List<List<ReadOnlyMemory<byte>>> _shapes = [];

    /// <summary>A list the codec reuses for one record's member names at a time.</summary>
    public List<ReadOnlyMemory<byte>> ScratchNames { get; } = new(32);
    private readonly int _maxJsonDepth;
    private readonly JsonTextBuilder _json = new();
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

    /// <summary>An array whose items <paramref name="item"/> reads.</summary>
    public List<T> Array<T>(Func<CborMessageReader, T> item)
    {
        var items = new List<T>();
        StartArray();
        while (NextItem())
        {
            items.Add(item(this));
        }

        return items;
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
            if (!_madeStrings.TryGetValue(_lastReference, out string? made))
            {
                made = Encoding.UTF8.GetString(referenced.Span);
                _madeStrings[_lastReference] = made;
            }

            return made;
        }

        return Encoding.UTF8.GetString(Utf8Text().Span);
    }

    private int _lastReference;

    /// <summary>A text string (or a reference to one) as its UTF-8 bytes, without allocating a string.</summary>
    public ReadOnlyMemory<byte> Utf8Text() => Utf8Text(Reader.PeekState());

    /// <summary>As <see cref="Utf8Text()"/>, for a caller that has already peeked the state.</summary>
    private ReadOnlyMemory<byte> Utf8Text(CborReaderState state)
    {
        if (state == CborReaderState.Tag)
        {
            return Referenced(Reader.ReadTag());
        }

        ReadOnlyMemory<byte> value = state switch
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

    /// <summary>The text a string reference points at, once its tag (which must be the reference tag) is read.</summary>
    private ReadOnlyMemory<byte> Referenced(CborTag tag)
    {
        if (tag != (CborTag)CborStringTable.ReferenceTag || !_namespace)
        {
            throw new FormatException("Unexpected tag.");
        }

        ulong index = Reader.ReadUInt64();
        _lastReference = (int)Math.Min(index, int.MaxValue);
        return index < (ulong)_strings.Count && _strings[(int)index] is { IsEmpty: false } text
            ? text
            : throw new FormatException("A string reference points at no text string.");
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
        CborReaderState state = Reader.PeekState();
        if (state == CborReaderState.Tag && Reader.PeekTag() == (CborTag)CborMessageWriter.UuidTagValue)
        {
            Reader.ReadTag();
            if (Reader.PeekState() != CborReaderState.ByteString)
            {
                throw new FormatException("A UUID is a byte string.");
            }

            ReadOnlyMemory<byte> bytes = Reader.ReadDefiniteLengthByteString();
            Remember(ReadOnlyMemory<byte>.Empty, bytes.Length, isText: false);
            return bytes.Length == 16 ? CborMessageWriter.UuidText(bytes.Span) : throw new FormatException("A UUID is 16 bytes.");
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
        ReadOnlySpan<byte> node = Utf8Text().Span;
        Reader.ReadEndArray();
        if (node.Length is 0 or > Clock.HlcTimestamp.MaxNodeIdLength)
        {
            throw new FormatException("A clock reading's node id is 1-64 characters.");
        }

        Span<char> text = stackalloc char[Clock.HlcTimestamp.HexLength + 1 + node.Length];
        logical.TryFormat(text, out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
        text[Clock.HlcTimestamp.HexLength] = '-';
        Encoding.UTF8.GetChars(node, text[(Clock.HlcTimestamp.HexLength + 1)..]);
        return new string(text);
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
        _json.Reset();
        WriteJson(maxDepth ?? _maxJsonDepth);
        return RawJsonValue.FromValidatedUtf8(_json.ToArray());
    }

    /// <summary>
    /// A record's fields as a JSON object, noting its member names in order into <paramref name="names"/>:
    /// a CBOR map, or the <c>[shape, value…]</c> form (see <c>CborMessageWriter.Fields</c>).
    /// </summary>
    public RawJsonValue JsonObject(List<ReadOnlyMemory<byte>> names)
    {
        CborReaderState state = Reader.PeekState();
        if (state == CborReaderState.StartArray)
        {
            return ShapedObject(names);
        }

        if (state != CborReaderState.StartMap)
        {
            throw new FormatException("Expected a map of fields.");
        }

        // The fields object holds the values; each value may nest the whole configured depth, as in JSON.
        _json.Reset();
        int depth = _maxJsonDepth;
        Reader.ReadStartMap();
        _json.StartObject();
        while (Reader.PeekState() != CborReaderState.EndMap)
        {
            ReadOnlyMemory<byte> name = Utf8Text();
            names.Add(name);
            _json.PropertyName(name.Span);
            WriteJson(depth);
        }

        Reader.ReadEndMap();
        _json.EndObject();
        return RawJsonValue.FromValidatedUtf8(_json.ToArray());
    }

    private RawJsonValue ShapedObject(List<ReadOnlyMemory<byte>> names)
    {
        int? count = Reader.ReadStartArray();
        List<ReadOnlyMemory<byte>> shape;
        if (Reader.PeekState() == CborReaderState.StartArray)
        {
            shape = Array(r => r.Utf8Text());
            _shapes.Add(shape);
        }
        else
        {
            ulong index = Reader.ReadUInt64();
            shape = index < (ulong)_shapes.Count ? _shapes[(int)index] : throw new FormatException("A shape index points at no shape.");
        }

        if (count is { } definite && definite != shape.Count + 1)
        {
            throw new FormatException("A shaped object has one value per name.");
        }

        _json.Reset();
        int depth = _maxJsonDepth;
        _json.StartObject();
        foreach (ReadOnlyMemory<byte> name in shape)
        {
            if (Reader.PeekState() == CborReaderState.EndArray)
            {
                throw new FormatException("A shaped object has one value per name.");
            }

            names.Add(name);
            _json.PropertyName(name.Span);
            WriteJson(depth);
        }

        Reader.ReadEndArray();
        _json.EndObject();
        return RawJsonValue.FromValidatedUtf8(_json.ToArray());
    }

    /// <summary>
    /// The compact form of a record's field readings: <c>[readings, indexes, extras?]</c>, where
    /// <c>indexes</c> holds one byte per member of the record's fields (in order) pointing into
    /// <c>readings</c>, and <c>extras</c> maps names that are not among the fields to an index.
    /// </summary>
    public CompactHlcs ReadCompactHlcs()
    {
        int? count = Reader.ReadStartArray();
        if (count is not (2 or 3) && count is not null)
        {
            throw new FormatException("Compact readings are [readings, indexes, extras?].");
        }

        var readings = new List<byte[]>();
        StartArray();
        while (NextItem())
        {
            readings.Add(System.Text.Encoding.ASCII.GetBytes(Hlc()));
        }

        byte[] indexes = Bytes();
        List<(ReadOnlyMemory<byte>, int)>? extras = null;
        if (Reader.PeekState() != CborReaderState.EndArray)
        {
            extras = [];
            StartMap();
            while (Reader.PeekState() != CborReaderState.EndMap)
            {
                extras.Add((Utf8Text(), checked((int)Reader.ReadUInt64())));
            }

            Reader.ReadEndMap();
        }

        Reader.ReadEndArray();
        return new CompactHlcs(readings, indexes, extras);
    }

    /// <summary>Builds the protocol's <c>hlcs</c> object from compact readings and the fields' member names.</summary>
    public RawJsonValue ExpandHlcs(CompactHlcs compact, List<ReadOnlyMemory<byte>> names)
    {
        if (compact.Indexes.Length != names.Count)
        {
            throw new FormatException("There is not one reading index per field.");
        }

        _json.Reset();
        _json.StartObject();
        for (int i = 0; i < names.Count; i++)
        {
            _json.PropertyName(names[i].Span);
            _json.PlainString(Reading(compact, compact.Indexes[i]));
        }

        foreach ((ReadOnlyMemory<byte> name, int index) in compact.Extras ?? [])
        {
            _json.PropertyName(name.Span);
            _json.PlainString(Reading(compact, index));
        }

        _json.EndObject();
        return RawJsonValue.FromValidatedUtf8(_json.ToArray());
    }

    private static byte[] Reading(CompactHlcs compact, int index) =>
        index < compact.Readings.Count ? compact.Readings[index] : throw new FormatException("A reading index points past the readings.");

    /// <summary>A map of field name to clock reading as the protocol's <c>hlcs</c> JSON object.</summary>
    public RawJsonValue HlcMap()
    {
        _json.Reset();
        _json.StartObject();
        StartMap();
        Span<byte> text = stackalloc byte[Clock.HlcTimestamp.HexLength + 1 + Clock.HlcTimestamp.MaxNodeIdLength];
        while (Reader.PeekState() != CborReaderState.EndMap)
        {
            _json.PropertyName(Utf8Text().Span);
            if (Reader.PeekState() == CborReaderState.StartArray)
            {
                Reader.ReadStartArray();
                ulong logical = Reader.ReadUInt64();
                ReadOnlySpan<byte> node = Utf8Text().Span;
                Reader.ReadEndArray();
                if (node.Length is 0 or > Clock.HlcTimestamp.MaxNodeIdLength || node.ContainsAnyExcept(NodeIdBytes))
                {
                    throw new FormatException("A clock reading's node id is 1-64 letters, digits, '_', '.', '~' or '-'.");
                }

                System.Buffers.Text.Utf8Formatter.TryFormat(logical, text, out _, new StandardFormat('x', Clock.HlcTimestamp.HexLength));
                text[Clock.HlcTimestamp.HexLength] = (byte)'-';
                node.CopyTo(text[(Clock.HlcTimestamp.HexLength + 1)..]);
                _json.PlainString(text[..(Clock.HlcTimestamp.HexLength + 1 + node.Length)]);
            }
            else
            {
                _json.String(Utf8Text().Span);
            }
        }

        Reader.ReadEndMap();
        _json.EndObject();
        return RawJsonValue.FromValidatedUtf8(_json.ToArray());
    }

    public void Skip() => Reader.SkipValue();

    private void WriteJson(int depth)
    {
        CborReaderState state = Reader.PeekState();
        switch (state)
        {
            case CborReaderState.StartMap:
                Nest(ref depth);
                Reader.ReadStartMap();

                // Repeated keys pass as they do in JSON: the change validator refuses a field named twice.
                _json.StartObject();
                while (Reader.PeekState() is var key && key != CborReaderState.EndMap)
                {
                    _json.PropertyName(Utf8Text(key).Span);
                    WriteJson(depth);
                }

                Reader.ReadEndMap();
                _json.EndObject();
                break;
            case CborReaderState.StartArray:
                Nest(ref depth);
                Reader.ReadStartArray();
                _json.StartArray();
                while (Reader.PeekState() != CborReaderState.EndArray)
                {
                    WriteJson(depth);
                }

                Reader.ReadEndArray();
                _json.EndArray();
                break;
            case CborReaderState.Tag:
                // The tag is read once: a string reference (the usual case) or a number.
                CborTag tag = Reader.ReadTag();
                if (tag is CborTag.UnsignedBigNum or CborTag.NegativeBigNum or CborTag.DecimalFraction)
                {
                    TaggedNumber(tag);
                }
                else
                {
                    _json.String(Referenced(tag).Span);
                }

                break;
            case CborReaderState.TextString or CborReaderState.StartIndefiniteLengthTextString:
                _json.String(Utf8Text(state).Span);
                break;
            case CborReaderState.UnsignedInteger:
                _json.Number(Reader.ReadUInt64());
                break;
            case CborReaderState.NegativeInteger:
                NegativeInteger();
                break;
            case CborReaderState.HalfPrecisionFloat or CborReaderState.SinglePrecisionFloat or CborReaderState.DoublePrecisionFloat:
                double number = state == CborReaderState.SinglePrecisionFloat ? Reader.ReadSingle() : Reader.ReadDouble();
                if (!double.IsFinite(number))
                {
                    throw new FormatException("JSON has no NaN or infinity.");
                }

                _json.Number(number);
                break;
            case CborReaderState.Boolean:
                _json.Literal(Reader.ReadBoolean() ? "true"u8 : "false"u8);
                break;
            case CborReaderState.Null:
                Reader.ReadNull();
                _json.Literal("null"u8);
                break;
            default:
                throw new FormatException("This CBOR item has no JSON equivalent.");
        }
    }

    /// <summary>A negative integer: major type 1 reaches -2^64, below what a long holds, and JSON numbers have no such bound.</summary>
    private void NegativeInteger()
    {
        ulong argument = Reader.ReadCborNegativeIntegerRepresentation();
        if (argument <= long.MaxValue)
        {
            _json.Number(-1 - (long)argument);
        }
        else
        {
            _json.Number(-1 - (Int128)argument);
        }
    }

    /// <summary>
    /// Once its tag is read, a bignum (tag 2 or 3 and the magnitude's bytes) as the integer's JSON digits, or a
    /// decimal fraction (tag 4, <c>[exponent, mantissa]</c>) as <c>{mantissa}e{exponent}</c>.
    /// </summary>
    private void TaggedNumber(CborTag tag)
    {
        Span<byte> text = stackalloc byte[JsonNumberParts.MaxDigits + 32];
        int length;
        if (tag != CborTag.DecimalFraction)
        {
            length = BigNumDigits(tag, text);
        }
        else
        {
            if (Reader.ReadStartArray() is not (2 or null) || Reader.PeekState() is not (CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger))
            {
                throw new FormatException("A decimal fraction is [exponent, mantissa], the exponent an integer.");
            }

            // An exponent beyond a long overflows here, as the JSON codec refuses one.
            long exponent = Reader.ReadInt64();
            length = Reader.PeekState() switch
            {
                CborReaderState.UnsignedInteger => Utf8Digits(Reader.ReadUInt64(), text),
                CborReaderState.NegativeInteger => Utf8Digits(-1 - (Int128)Reader.ReadCborNegativeIntegerRepresentation(), text),
                CborReaderState.Tag => BigNumDigits(Reader.ReadTag(), text),
                _ => throw new FormatException("A decimal fraction's mantissa is an integer or a bignum."),
            };
            text[length++] = (byte)'e';
            length += Utf8Digits(exponent, text[length..]);
            Reader.ReadEndArray();
        }

        _json.Literal(text[..length]);
    }

    /// <summary>Once its tag is read, writes the digits of a bignum into <paramref name="text"/>.</summary>
    private int BigNumDigits(CborTag tag, Span<byte> text)
    {
        if (tag is not (CborTag.UnsignedBigNum or CborTag.NegativeBigNum))
        {
            throw new FormatException("Unexpected tag.");
        }

        bool negative = tag == CborTag.NegativeBigNum;
        ReadOnlySpan<byte> magnitude = Bytes();
        int significant = magnitude.IndexOfAnyExcept((byte)0);
        magnitude = significant < 0 ? [] : magnitude[significant..];

        // Turning binary into decimal digits costs more than linear time: the size is checked before.
        if (magnitude.Length > MaxBigNumBytes)
        {
            throw new FormatException(JsonNumberParts.BoundsMessage);
        }

        var argument = new BigInteger(magnitude, isUnsigned: true, isBigEndian: true);
        int written = Utf8Digits(negative ? -1 - argument : argument, text);
        return written - (negative ? 1 : 0) <= JsonNumberParts.MaxDigits ? written : throw new FormatException(JsonNumberParts.BoundsMessage);
    }

    /// <summary>Formats an integer into <paramref name="destination"/>, which has room for it (BigInteger formats into UTF-8 only through the interface).</summary>
    private static int Utf8Digits<T>(T value, Span<byte> destination)
        where T : IUtf8SpanFormattable => value.TryFormat(destination, out int written, default, CultureInfo.InvariantCulture)
            ? written
            : throw new FormatException(JsonNumberParts.BoundsMessage);

    private static void Nest(ref int depth)
    {
        if (--depth < 0)
        {
            throw new FormatException("A value is nested deeper than the server allows.");
        }
    }

    /// <summary>Takes a table slot for a qualifying string; byte strings take one too but hold nothing (only text is referenced).</summary>
    private void Remember(ReadOnlyMemory<byte> value, int byteLength, bool isText = true)
    {
        if (_namespace && CborStringTable.Qualifies(byteLength, _strings.Count))
        {
            _strings.Add(isText ? value : ReadOnlyMemory<byte>.Empty);
        }
    }

    /// <summary>
    /// The stringref table, in fixed-size segments: a page of records fills thousands of slots, and one
    /// growing array would soon be a large-object-heap allocation per message.
    /// </summary>
    private sealed class StringTable
    {
        private const int SegmentSize = 256;
        private readonly List<ReadOnlyMemory<byte>[]> _segments = [];

        public int Count { get; private set; }

        public ReadOnlyMemory<byte> this[int index] => _segments[index / SegmentSize][index % SegmentSize];

        public void Add(ReadOnlyMemory<byte> value)
        {
            if (Count % SegmentSize == 0)
            {
                _segments.Add(new ReadOnlyMemory<byte>[SegmentSize]);
            }

            _segments[Count / SegmentSize][Count % SegmentSize] = value;
            Count++;
        }
    }

    /// <summary>Field readings in the compact form, waiting for the field names to be known.</summary>
    internal sealed record CompactHlcs(List<byte[]> Readings, byte[] Indexes, List<(ReadOnlyMemory<byte> Name, int Index)>? Extras);
}

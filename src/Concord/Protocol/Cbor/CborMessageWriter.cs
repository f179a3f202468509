using System.Formats.Cbor;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Concord.Clock;
using Concord.Records;

namespace Concord.Protocol.Cbor;

/// <summary>
/// A <see cref="CborWriter"/> with the protocol's compact forms: repeated strings as stringref references,
/// canonical UUID strings as tag 37 byte strings, clock readings as <c>[uint, node]</c>, JSON values as CBOR items.
/// </summary>
internal sealed class CborMessageWriter
{
    private const ulong UuidTag = 37;

    private readonly Dictionary<string, int> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Dictionary<string, int> _shapes = new(StringComparer.Ordinal);
    private readonly List<(ReadOnlyMemory<byte> Name, string? Text, ReadOnlyMemory<byte> Value)> _members = new(32);
    private readonly List<byte[]> _lastShapeNames = new(32);
    private int _lastShape = -1;
    private readonly List<(int Start, int Length)> _readings = new(8);
    private readonly List<byte> _indexes = new(32);
    private string? _lastNode;
    private int _tableSize;

    /// <summary>Writes one message into <paramref name="writer"/>, which must be empty.</summary>
    public CborMessageWriter(CborWriter writer)
    {
        _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
        Writer = writer;
        Writer.WriteTag((CborTag)CborStringTable.NamespaceTag);
    }

    public CborWriter Writer { get; }

    public void Text(string value)
    {
        if (_strings.TryGetValue(value, out int index))
        {
            Writer.WriteTag((CborTag)CborStringTable.ReferenceTag);
            Writer.WriteUInt64((ulong)index);
            return;
        }

        Writer.WriteTextString(value);
        if (CborStringTable.Qualifies(Encoding.UTF8.GetByteCount(value), _tableSize))
        {
            _strings[value] = _tableSize++;
        }
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        // Byte strings take table slots too under the stringref rule; the protocol never repeats one, so
        // only the slot is taken, to stay in step with a decoder that follows the rule.
        Writer.WriteByteString(value);
        if (CborStringTable.Qualifies(value.Length, _tableSize))
        {
            _tableSize++;
        }
    }

    public void OptionalText(string? value)
    {
        if (value is null)
        {
            Writer.WriteNull();
        }
        else
        {
            Text(value);
        }
    }

    /// <summary>An id: 16 bytes under tag 37 when it is a canonical lowercase UUID, else a string.</summary>
    public void Id(string value)
    {
        if (value.Length == 36 && Guid.TryParseExact(value, "D", out Guid uuid) && uuid.ToString("D") == value)
        {
            Span<byte> bytes = stackalloc byte[16];
            uuid.TryWriteBytes(bytes, bigEndian: true, out _);
            Writer.WriteTag((CborTag)UuidTag);
            Bytes(bytes);
            return;
        }

        Text(value);
    }

    /// <summary>A clock reading as <c>[logical, node]</c>; text that is not a reading stays text, to be refused by the receiver.</summary>
    public void Hlc(string value)
    {
        if (HlcTimestamp.TryParse(value, out HlcTimestamp hlc))
        {
            Writer.WriteStartArray(2);
            Writer.WriteUInt64(hlc.Logical);
            Text(hlc.NodeId);
            Writer.WriteEndArray();
            return;
        }

        Text(value);
    }

    public void OptionalHlc(string? value)
    {
        if (value is null)
        {
            Writer.WriteNull();
        }
        else
        {
            Hlc(value);
        }
    }

    /// <summary>
    /// A JSON value as the equivalent CBOR item, streamed token by token: containers are written with
    /// indefinite length, which costs one byte each and spares counting their members first.
    /// </summary>
    public void Json(RawJsonValue value)
    {
        var reader = new Utf8JsonReader(value.Utf8.Span, new JsonReaderOptions { MaxDepth = 256 });
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    Writer.WriteStartMap(null);
                    break;
                case JsonTokenType.EndObject:
                    Writer.WriteEndMap();
                    break;
                case JsonTokenType.StartArray:
                    Writer.WriteStartArray(null);
                    break;
                case JsonTokenType.EndArray:
                    Writer.WriteEndArray();
                    break;
                case JsonTokenType.PropertyName or JsonTokenType.String:
                    Text(reader);
                    break;
                case JsonTokenType.Number:
                    Number(ref reader);
                    break;
                case JsonTokenType.True:
                    Writer.WriteBoolean(true);
                    break;
                case JsonTokenType.False:
                    Writer.WriteBoolean(false);
                    break;
                default:
                    Writer.WriteNull();
                    break;
            }
        }
    }

    /// <summary>
    /// A record's fields (a JSON object). Objects whose member names repeat those of an earlier one in
    /// the message are written as <c>[shape, value…]</c>: <c>shape</c> is the array of names the first
    /// time, and its index (in order of first appearance) afterwards. Records of one collection usually
    /// share their names, so each record then costs its values only.
    /// </summary>
    public void Fields(RawJsonValue fields)
    {
        ReadOnlyMemory<byte> utf8 = fields.Utf8;
        var reader = new Utf8JsonReader(utf8.Span, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            Json(fields);
            return;
        }

        // Member names and value slices of this object, reused from one record to the next.
        _members.Clear();
        bool plainNames = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            plainNames &= !reader.ValueIsEscaped && !reader.HasValueSequence;
            ReadOnlyMemory<byte> name = plainNames ? utf8.Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length) : default;
            string? text = plainNames ? null : reader.GetString();
            reader.Read();
            int start = (int)reader.TokenStartIndex;
            reader.Skip();
            _members.Add((name, text, utf8[start..(int)reader.BytesConsumed]));
        }

        bool isNew = false;
        int shape = plainNames && SameAsLastShape() ? _lastShape : ShapeIndex(out isNew);
        Writer.WriteStartArray(_members.Count + 1);
        if (!isNew)
        {
            Writer.WriteUInt32((uint)shape);
        }
        else
        {
            Writer.WriteStartArray(_members.Count);
            foreach ((ReadOnlyMemory<byte> name, string? text, _) in _members)
            {
                Text(text ?? Encoding.UTF8.GetString(name.Span));
            }

            Writer.WriteEndArray();
        }

        foreach ((_, _, ReadOnlyMemory<byte> value) in _members)
        {
            Json(RawJsonValue.FromValidatedUtf8(value));
        }

        Writer.WriteEndArray();
    }

    /// <summary>Whether the members just read have the names of the previous object written (the usual case).</summary>
    private bool SameAsLastShape()
    {
        if (_lastShape < 0 || _lastShapeNames.Count != _members.Count)
        {
            return false;
        }

        for (int i = 0; i < _members.Count; i++)
        {
            if (!_members[i].Name.Span.SequenceEqual(_lastShapeNames[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The index of the members' shape, registering it (and noting that it is new) when first seen.</summary>
    private int ShapeIndex(out bool isNew)
    {
        var names = _members.Select(m => m.Text ?? Encoding.UTF8.GetString(m.Name.Span)).ToList();
        string key = string.Join('\n', names);
        isNew = !_shapes.TryGetValue(key, out int index);
        if (isNew)
        {
            index = _shapes.Count;
            _shapes[key] = index;
        }

        _lastShape = index;
        _lastShapeNames.Clear();
        _lastShapeNames.AddRange(names.Select(Encoding.UTF8.GetBytes));
        return index;
    }

    /// <summary>
    /// A record's field readings: compactly (<c>[readings, indexes]</c>, each distinct reading once, then one
    /// byte per member of <paramref name="fields"/>, in order, giving the index of its reading) when the
    /// readings name exactly the fields' members in their order, as stores write them; as a map otherwise.
    /// </summary>
    public void Hlcs(RawJsonValue fields, RawJsonValue hlcs)
    {
        if (!TryCompactHlcs(fields, hlcs))
        {
            HlcMap(hlcs);
        }
    }

    /// <summary>Writes the compact form, or nothing and false when the readings do not line up with the fields.</summary>
    private bool TryCompactHlcs(RawJsonValue fields, RawJsonValue hlcs)
    {
        _readings.Clear();
        _indexes.Clear();
        ReadOnlySpan<byte> hlcsText = hlcs.Utf8.Span;
        var names = new Utf8JsonReader(fields.Utf8.Span, new JsonReaderOptions { MaxDepth = 256 });
        var readings = new Utf8JsonReader(hlcsText);
        names.Read();
        readings.Read();
        while (readings.Read() && readings.TokenType == JsonTokenType.PropertyName)
        {
            if (!names.Read() || names.TokenType != JsonTokenType.PropertyName || names.ValueIsEscaped || readings.ValueIsEscaped
                || !names.ValueSpan.SequenceEqual(readings.ValueSpan))
            {
                return false;
            }

            names.Read();
            names.Skip();
            readings.Read();
            int start = (int)readings.TokenStartIndex + 1, length = readings.ValueSpan.Length;
            int index = -1;
            for (int i = 0; i < _readings.Count && index < 0; i++)
            {
                if (hlcsText.Slice(_readings[i].Start, _readings[i].Length).SequenceEqual(hlcsText.Slice(start, length)))
                {
                    index = i;
                }
            }

            if (index < 0)
            {
                index = _readings.Count;
                _readings.Add((start, length));
            }

            if (index > 255)
            {
                return false;
            }

            _indexes.Add((byte)index);
        }

        if (names.Read() && names.TokenType == JsonTokenType.PropertyName)
        {
            return false;
        }

        Writer.WriteStartArray(2);
        Writer.WriteStartArray(_readings.Count);
        Span<char> text = stackalloc char[HlcTimestamp.HexLength + 1 + HlcTimestamp.MaxNodeIdLength];
        foreach ((int start, int length) in _readings)
        {
            ReadOnlySpan<byte> raw = hlcsText.Slice(start, length);
            if (raw.Length <= text.Length && HlcTimestamp.TryParse(text[..Encoding.UTF8.GetChars(raw, text)], _lastNode, out HlcTimestamp hlc))
            {
                _lastNode = hlc.NodeId;
                Writer.WriteStartArray(2);
                Writer.WriteUInt64(hlc.Logical);
                Text(hlc.NodeId);
                Writer.WriteEndArray();
            }
            else
            {
                Text(Encoding.UTF8.GetString(raw));
            }
        }

        Writer.WriteEndArray();
        Bytes(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_indexes));
        Writer.WriteEndArray();
        return true;
    }

    /// <summary>A map of field names to clock readings (the protocol's <c>hlcs</c>) with readings in compact form.</summary>
    public void HlcMap(RawJsonValue hlcs)
    {
        var reader = new Utf8JsonReader(hlcs.Utf8.Span);
        reader.Read();
        Writer.WriteStartMap(null);
        Span<char> text = stackalloc char[HlcTimestamp.HexLength + 1 + HlcTimestamp.MaxNodeIdLength];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            Text(reader);
            reader.Read();
            int length = reader.CopyString(text);
            if (HlcTimestamp.TryParse(text[..length], out HlcTimestamp hlc))
            {
                Writer.WriteStartArray(2);
                Writer.WriteUInt64(hlc.Logical);
                Text(hlc.NodeId);
                Writer.WriteEndArray();
            }
            else
            {
                Text(new string(text[..length]));
            }
        }

        Writer.WriteEndMap();
    }

    /// <summary>A string token, through the string table; a string seen before is referenced without being made again.</summary>
    private void Text(Utf8JsonReader reader)
    {
        int length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        if (length > 256)
        {
            Text(reader.GetString()!);
            return;
        }

        Span<char> chars = stackalloc char[length];
        int written = reader.CopyString(chars);
        ReadOnlySpan<char> value = chars[..written];
        if (_lookup.TryGetValue(value, out int index))
        {
            Writer.WriteTag((CborTag)CborStringTable.ReferenceTag);
            Writer.WriteUInt64((ulong)index);
            return;
        }

        Writer.WriteTextString(value);
        if (CborStringTable.Qualifies(Encoding.UTF8.GetByteCount(value), _tableSize))
        {
            _strings[value.ToString()] = _tableSize++;
        }
    }

    private void Number(ref Utf8JsonReader reader)
    {
        if (reader.TryGetInt64(out long integer))
        {
            if (integer == 0 && reader.ValueSpan[0] == (byte)'-')
            {
                // "-0" is an integer in JSON's grammar; only a float keeps its sign.
                Writer.WriteHalf(Half.NegativeZero);
            }
            else
            {
                Writer.WriteInt64(integer);
            }
        }
        else if (reader.TryGetUInt64(out ulong large))
        {
            Writer.WriteUInt64(large);
        }
        else if (reader.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') >= 0 && reader.TryGetDouble(out double value) && value != 0 && double.IsFinite(value))
        {
            // The usual number that is no integer. An infinity (the number overflowed a double) and a zero (it
            // may be a nonzero number that underflowed) go the long way.
            Float(value);
        }
        else
        {
            OtherNumber(reader.ValueSpan);
        }
    }

    private void Float(double value)
    {
        if ((double)(float)value == value)
        {
            Writer.WriteSingle((float)value);
        }
        else
        {
            Writer.WriteDouble(value);
        }
    }

    /// <summary>
    /// A number beyond 64-bit integers: exact when it is an integer; else the nearest float, or a decimal
    /// fraction when no double holds it (it overflows, or a nonzero number underflows to zero).
    /// </summary>
    private void OtherNumber(ReadOnlySpan<byte> text)
    {
        int exponent = text.IndexOfAny((byte)'e', (byte)'E');
        bool integer = exponent < 0 && text.IndexOf((byte)'.') < 0;
        double value = integer ? 0 : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        bool holds = double.IsFinite(value) && (value != 0 || text[..(exponent < 0 ? text.Length : exponent)].IndexOfAnyInRange((byte)'1', (byte)'9') < 0);
        if ((integer || !holds) && JsonNumberParts.TryParse(text, out JsonNumberParts parts))
        {
            if (integer)
            {
                Integer(parts.Mantissa());
            }
            else
            {
                // Tag 4, [exponent, mantissa]: the value is mantissa × 10^exponent (RFC 8949 §3.4.4).
                Writer.WriteTag(CborTag.DecimalFraction);
                Writer.WriteStartArray(2);
                Writer.WriteInt64(parts.Exponent);
                Integer(parts.Mantissa());
                Writer.WriteEndArray();
            }

            return;
        }

        // A number beyond the bounds both codecs keep is written as the double nearest to it, for the reader to refuse.
        Float(integer ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : value);
    }

    /// <summary>
    /// An integer of any size: major type 0 or 1 as far as they go (down to -2^64), a bignum beyond
    /// (tag 2 or 3 and the magnitude's bytes, big-endian, RFC 8949 §3.4.3).
    /// </summary>
    private void Integer(BigInteger value)
    {
        if (value >= long.MinValue && value <= long.MaxValue)
        {
            Writer.WriteInt64((long)value);
        }
        else if (value.Sign > 0 && value <= ulong.MaxValue)
        {
            Writer.WriteUInt64((ulong)value);
        }
        else if (value.Sign < 0 && -1 - value <= ulong.MaxValue)
        {
            Writer.WriteCborNegativeIntegerRepresentation((ulong)(-1 - value));
        }
        else
        {
            Writer.WriteTag(value.Sign < 0 ? CborTag.NegativeBigNum : CborTag.UnsignedBigNum);
            BigInteger argument = value.Sign < 0 ? -1 - value : value;
            Span<byte> bytes = stackalloc byte[argument.GetByteCount(isUnsigned: true)];
            argument.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: true);
            Bytes(bytes);
        }
    }

    /// <summary>Reads back a UUID written by <see cref="Id"/>.</summary>
    internal static string UuidText(ReadOnlySpan<byte> bytes) => new Guid(bytes, bigEndian: true).ToString("D");

    /// <summary>Exposed for the reader: the tag that marks a UUID.</summary>
    internal static ulong UuidTagValue => UuidTag;

    /// <summary>Formats a logical clock value and node back to the wire form.</summary>
    internal static string HlcText(ulong logical, string node) =>
        string.Concat(logical.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), "-", node);
}

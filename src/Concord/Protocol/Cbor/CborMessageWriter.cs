using System.Formats.Cbor;
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
    private int _tableSize;

    public CborMessageWriter()
    {
        _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
        Writer = new CborWriter(CborConformanceMode.Lax, convertIndefiniteLengthEncodings: false, allowMultipleRootLevelValues: false);
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
        var names = new List<string>(16);
        var values = new List<RawJsonValue>(16);
        ReadOnlyMemory<byte> utf8 = fields.Utf8;
        var reader = new Utf8JsonReader(utf8.Span, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            Json(fields);
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            names.Add(reader.GetString()!);
            reader.Read();
            int start = (int)reader.TokenStartIndex;
            reader.Skip();
            values.Add(RawJsonValue.FromValidatedUtf8(utf8[start..(int)reader.BytesConsumed]));
        }

        string shape = string.Join('\n', names);
        Writer.WriteStartArray(names.Count + 1);
        if (_shapes.TryGetValue(shape, out int index))
        {
            Writer.WriteUInt32((uint)index);
        }
        else
        {
            Writer.WriteStartArray(names.Count);
            foreach (string name in names)
            {
                Text(name);
            }

            Writer.WriteEndArray();
            _shapes[shape] = _shapes.Count;
        }

        foreach (RawJsonValue value in values)
        {
            Json(value);
        }

        Writer.WriteEndArray();
    }

    /// <summary>
    /// A record's field readings, compactly when it can: <c>[readings, indexes, extras?]</c>, each distinct
    /// reading once, then one byte per member of <paramref name="fields"/> (in order) pointing at its reading,
    /// then a map for readings of fields that are not among the members (text fields in a delta pull).
    /// </summary>
    public void Hlcs(RawJsonValue fields, RawJsonValue hlcs)
    {
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(hlcs.Utf8.Span);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            byName[name] = reader.GetString()!;
        }

        var readings = new List<string>();
        var indexes = new List<byte>();
        var members = new HashSet<string>(StringComparer.Ordinal);
        var fieldReader = new Utf8JsonReader(fields.Utf8.Span, new JsonReaderOptions { MaxDepth = 256 });
        fieldReader.Read();
        while (fieldReader.Read() && fieldReader.TokenType == JsonTokenType.PropertyName)
        {
            string name = fieldReader.GetString()!;
            members.Add(name);
            if (!byName.TryGetValue(name, out string? reading))
            {
                HlcMap(hlcs);
                return;
            }

            int index = readings.IndexOf(reading);
            if (index < 0)
            {
                index = readings.Count;
                readings.Add(reading);
            }

            indexes.Add(index < 256 ? (byte)index : throw new InvalidOperationException());
            fieldReader.Read();
            fieldReader.Skip();
        }

        var extras = byName.Where(h => !members.Contains(h.Key)).ToList();
        if (readings.Count + extras.Count > 255)
        {
            HlcMap(hlcs);
            return;
        }

        Writer.WriteStartArray(extras.Count == 0 ? 2 : 3);
        Writer.WriteStartArray(readings.Count + extras.Count);
        foreach (string reading in readings)
        {
            Hlc(reading);
        }

        foreach ((string _, string reading) in extras)
        {
            Hlc(reading);
        }

        Writer.WriteEndArray();
        Bytes(indexes.ToArray());
        if (extras.Count > 0)
        {
            Writer.WriteStartMap(extras.Count);
            for (int i = 0; i < extras.Count; i++)
            {
                Text(extras[i].Key);
                Writer.WriteUInt32((uint)(readings.Count + i));
            }

            Writer.WriteEndMap();
        }

        Writer.WriteEndArray();
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
            Writer.WriteInt64(integer);
        }
        else if (reader.TryGetUInt64(out ulong large))
        {
            Writer.WriteUInt64(large);
        }
        else
        {
            double value = reader.GetDouble();
            if ((double)(float)value == value)
            {
                Writer.WriteSingle((float)value);
            }
            else
            {
                Writer.WriteDouble(value);
            }
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

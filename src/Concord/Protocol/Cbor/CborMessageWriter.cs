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
    private int _tableSize;

    public CborMessageWriter()
    {
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

    /// <summary>A JSON value as the equivalent CBOR item.</summary>
    public void Json(RawJsonValue value)
    {
        var reader = new Utf8JsonReader(value.Utf8.Span, new JsonReaderOptions { MaxDepth = 256 });
        using JsonDocument document = JsonDocument.ParseValue(ref reader);
        Json(document.RootElement);
    }

    private void Json(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                Writer.WriteStartMap(element.GetPropertyCount());
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    Text(property.Name);
                    Json(property.Value);
                }

                Writer.WriteEndMap();
                break;
            case JsonValueKind.Array:
                Writer.WriteStartArray(element.GetArrayLength());
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Json(item);
                }

                Writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                Text(element.GetString()!);
                break;
            case JsonValueKind.Number:
                Number(element);
                break;
            case JsonValueKind.True:
                Writer.WriteBoolean(true);
                break;
            case JsonValueKind.False:
                Writer.WriteBoolean(false);
                break;
            default:
                Writer.WriteNull();
                break;
        }
    }

    private void Number(JsonElement element)
    {
        if (element.TryGetInt64(out long integer))
        {
            Writer.WriteInt64(integer);
        }
        else if (element.TryGetUInt64(out ulong large))
        {
            Writer.WriteUInt64(large);
        }
        else
        {
            double value = element.GetDouble();
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

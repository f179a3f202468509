using System.Buffers;
using System.Text.Json;
using Concord.Clock;
using Concord.Records;

namespace Concord.Server.Storage;

/// <summary>
/// A compact stored form of a record's field clock readings and field versions: the (reading, version)
/// most fields share, and a JSON object of the few fields that differ, <c>{"name":["hlc",version]}</c>
/// (none at all after a put). The full per-field map the protocol sends is rebuilt from it when a page is read.
/// </summary>
/// <remarks>
/// The per-field map repeats a 30-odd byte reading for every field and more than doubles what a row
/// of ten fields stores; stores write fewer bytes per change, which is what a write costs SQLite.
/// </remarks>
public static class StoredClocks
{
    /// <summary>The shared reading and version, and the exceptions to them. The shared reading is the tombstone's when there are no fields.</summary>
    public static (HlcTimestamp Common, long CommonVersion, byte[]? Overrides) Split(RecordState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Fields.Count == 0)
        {
            return (HlcTimestamp.Max(state.Tombstone, state.Watermark), state.Version, null);
        }

        if (state.TryGetSharedReading(out HlcTimestamp shared, out long sharedVersion))
        {
            return (shared, sharedVersion, null);
        }

        (HlcTimestamp common, long commonVersion) = MostFrequent(state);
        int differing = 0;
        foreach (FieldState field in state.Fields.Values)
        {
            if (field.Hlc != common || field.Version != commonVersion)
            {
                differing++;
            }
        }

        if (differing == 0)
        {
            return (common, commonVersion, null);
        }

        var buffer = new ArrayBufferWriter<byte>(differing * 48);
        Span<char> text = stackalloc char[HlcTimestamp.HexLength + 1 + HlcTimestamp.MaxNodeIdLength];
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            foreach ((string name, FieldState field) in state.Fields)
            {
                if (field.Hlc != common || field.Version != commonVersion)
                {
                    field.Hlc.TryFormat(text, out int length);
                    writer.WriteStartArray(name);
                    writer.WriteStringValue(text[..length]);
                    writer.WriteNumberValue(field.Version);
                    writer.WriteEndArray();
                }
            }

            writer.WriteEndObject();
        }

        return (common, commonVersion, buffer.WrittenSpan.ToArray());
    }

    /// <summary>Rebuilds a state from its stored parts.</summary>
    /// <exception cref="JsonException">The stored parts are not what <see cref="Split"/> and <see cref="RecordStateJson.WriteFields(RecordState)"/> produce.</exception>
    public static RecordState Read(string collection, string id, ReadOnlyMemory<byte> fieldsJson, HlcTimestamp common, long commonVersion, ReadOnlySpan<byte> overrides, HlcTimestamp tombstone, HlcTimestamp watermark, long version)
    {
        var values = new Dictionary<string, RawJsonValue>(StringComparer.Ordinal);
        if (!JsonObjectFields.TrySplit(RawJsonValue.FromValidatedUtf8(fieldsJson), values, out _))
        {
            throw new JsonException("Stored fields are not a JSON object.");
        }

        Dictionary<string, (HlcTimestamp, long)>? exceptions = overrides.IsEmpty ? null : ReadOverrides(overrides);
        var fields = new List<KeyValuePair<string, FieldState>>(values.Count);
        foreach ((string name, RawJsonValue value) in values)
        {
            (HlcTimestamp hlc, long fieldVersion) = exceptions is not null && exceptions.TryGetValue(name, out (HlcTimestamp, long) own) ? own : (common, commonVersion);
            fields.Add(new(name, new FieldState(value, hlc, fieldVersion)));
        }

        return new RecordState(collection, id, fields, tombstone, watermark, version);
    }

    /// <summary>The protocol's per-field map (<c>hlcs</c>) for stored fields, and the greatest reading in it.</summary>
    public static (RawJsonValue Hlcs, HlcTimestamp Max) Expand(ReadOnlySpan<byte> fieldsJson, HlcTimestamp common, ReadOnlySpan<byte> overrides)
    {
        Dictionary<string, (HlcTimestamp, long)>? exceptions = overrides.IsEmpty ? null : ReadOverrides(overrides);
        var buffer = new ArrayBufferWriter<byte>(64 + (fieldsJson.Length / 2));
        Span<byte> commonText = stackalloc byte[HlcTimestamp.HexLength + 1 + HlcTimestamp.MaxNodeIdLength];
        common.TryFormat(commonText, out int commonLength);
        Span<byte> ownText = stackalloc byte[commonText.Length];
        HlcTimestamp max = common;
        var reader = new Utf8JsonReader(fieldsJson, new JsonReaderOptions { MaxDepth = 256 });
        reader.Read();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueIsEscaped || exceptions is not null)
                {
                    string name = reader.GetString()!;
                    writer.WritePropertyName(name);
                    if (exceptions is not null && exceptions.TryGetValue(name, out (HlcTimestamp Hlc, long) entry))
                    {
                        HlcTimestamp own = entry.Hlc;
                        own.TryFormat(ownText, out int ownLength);
                        writer.WriteStringValue(ownText[..ownLength]);
                        max = HlcTimestamp.Max(max, own);
                    }
                    else
                    {
                        writer.WriteStringValue(commonText[..commonLength]);
                    }
                }
                else
                {
                    writer.WritePropertyName(reader.ValueSpan);
                    writer.WriteStringValue(commonText[..commonLength]);
                }

                reader.Read();
                reader.Skip();
            }

            writer.WriteEndObject();
        }

        return (RawJsonValue.FromValidatedUtf8(buffer.WrittenSpan.ToArray()), max);
    }

    private static Dictionary<string, (HlcTimestamp, long)> ReadOverrides(ReadOnlySpan<byte> overrides)
    {
        var result = new Dictionary<string, (HlcTimestamp, long)>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(overrides);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            reader.Read();
            if (!HlcTimestamp.TryParse(reader.GetString(), out HlcTimestamp hlc))
            {
                throw new JsonException("A stored field clock reading does not parse.");
            }

            reader.Read();
            long version = reader.GetInt64();
            reader.Read();
            result[name] = (hlc, version);
        }

        return result;
    }

    private static (HlcTimestamp, long) MostFrequent(RecordState state)
    {
        if (state.Fields.Count > 16)
        {
            return state.Fields.Values.GroupBy(f => (f.Hlc, f.Version)).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key.Hlc).First().Key;
        }

        (HlcTimestamp Hlc, long Version) best = default;
        int bestCount = 0;
        foreach (FieldState candidate in state.Fields.Values)
        {
            if (candidate.Hlc == best.Hlc && candidate.Version == best.Version)
            {
                continue;
            }

            int count = 0;
            foreach (FieldState field in state.Fields.Values)
            {
                if (field.Hlc == candidate.Hlc && field.Version == candidate.Version)
                {
                    count++;
                }
            }

            // Ties go to the later reading so that the choice does not depend on dictionary order.
            if (count > bestCount || (count == bestCount && candidate.Hlc > best.Hlc))
            {
                best = (candidate.Hlc, candidate.Version);
                bestCount = count;
            }
        }

        return best;
    }
}

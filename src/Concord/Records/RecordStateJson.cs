using System.Buffers;
using System.Text.Json;
using Concord.Clock;

namespace Concord.Records;

/// <summary>
/// The stored and wire form of a record's content: a JSON object of field values and a parallel
/// JSON object of field clock readings, both with members in ordinal name order so that equal
/// states have byte-equal text.
/// </summary>
/// <example><code>
/// byte[] fields = RecordStateJson.WriteFields(state);   // {"done":true,"title":"Milk"}
/// byte[] hlcs = RecordStateJson.WriteHlcs(state);       // {"done":"0190f3a2b4c10003-n1",...}
/// var copy = RecordStateJson.Read("todos", id, fields, hlcs, default, default, state.Version);
/// </code></example>
public static class RecordStateJson
{
    /// <summary>The empty object, <c>{}</c>.</summary>
    public static ReadOnlyMemory<byte> EmptyObject { get; } = "{}"u8.ToArray();

    /// <summary>Writes the field values as one JSON object.</summary>
    public static byte[] WriteFields(RecordState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var buffer = new ArrayBufferWriter<byte>(64 + (state.Fields.Count * 32));
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            WriteFields(state, writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the field values as one JSON object into <paramref name="writer"/>, allocating nothing for small records.</summary>
    public static void WriteFields(RecordState state, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(writer);
        int count = state.Fields.Count;
        KeyValuePair<string, FieldState>[] rented = ArrayPool<KeyValuePair<string, FieldState>>.Shared.Rent(Math.Max(count, 1));
        try
        {
            Span<KeyValuePair<string, FieldState>> sorted = SortInto(state, rented);
            writer.WriteStartObject();
            foreach (KeyValuePair<string, FieldState> field in sorted)
            {
                writer.WritePropertyName(field.Key);
                writer.WriteRawValue(field.Value.Value.Utf8.Span, skipInputValidation: true);
            }

            writer.WriteEndObject();
        }
        finally
        {
            ArrayPool<KeyValuePair<string, FieldState>>.Shared.Return(rented, clearArray: true);
        }
    }

    /// <summary>Writes the field clock readings as one JSON object of strings.</summary>
    public static byte[] WriteHlcs(RecordState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return WriteSortedHlcs(Sorted(state));
    }

    private static byte[] WriteSortedHlcs(KeyValuePair<string, FieldState>[] sorted)
    {
        if (sorted.Length == 0)
        {
            return "{}"u8.ToArray();
        }

        var buffer = new ArrayBufferWriter<byte>(64 + (sorted.Length * 48));
        Span<byte> hlc = stackalloc byte[HlcTimestamp.HexLength + 1 + HlcTimestamp.MaxNodeIdLength];
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            // Most records hold few distinct readings (a put stamps every field alike): format each once.
            HlcTimestamp formatted = default;
            int length = 0;
            foreach (KeyValuePair<string, FieldState> field in sorted)
            {
                if (field.Value.Hlc != formatted)
                {
                    formatted = field.Value.Hlc;
                    formatted.TryFormat(hlc, out length);
                }

                writer.WriteString(field.Key, hlc[..length]);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Rebuilds a state from its stored parts.</summary>
    /// <exception cref="JsonException">The text is not what <see cref="WriteFields(RecordState)"/> and <see cref="WriteHlcs"/> produce.</exception>
    public static RecordState Read(string collection, string id, ReadOnlyMemory<byte> fieldsJson, ReadOnlySpan<byte> hlcsJson, HlcTimestamp tombstone, HlcTimestamp watermark, long version)
    {
        var values = new Dictionary<string, RawJsonValue>(StringComparer.Ordinal);
        if (!JsonObjectFields.TrySplit(RawJsonValue.FromValidatedUtf8(fieldsJson), values, out _))
        {
            throw new JsonException("Stored fields are not a JSON object.");
        }

        var fields = new List<KeyValuePair<string, FieldState>>(values.Count);
        var reader = new Utf8JsonReader(hlcsJson);
        reader.Read();
        string? lastNode = null;
        Span<char> chars = stackalloc char[HlcTimestamp.HexLength + 1 + HlcTimestamp.MaxNodeIdLength];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            int length = reader.CopyString(chars);
            if (!HlcTimestamp.TryParse(chars[..length], lastNode, out HlcTimestamp hlc) || !values.TryGetValue(name, out RawJsonValue value))
            {
                throw new JsonException("Stored clock readings do not match the stored fields.");
            }

            lastNode = hlc.NodeId;
            fields.Add(new(name, new FieldState(value, hlc)));
        }

        return new RecordState(collection, id, fields, tombstone, watermark, version);
    }

    private static KeyValuePair<string, FieldState>[] Sorted(RecordState state)
    {
        var fields = new KeyValuePair<string, FieldState>[state.Fields.Count];
        SortInto(state, fields);
        return fields;
    }

    private static Span<KeyValuePair<string, FieldState>> SortInto(RecordState state, KeyValuePair<string, FieldState>[] into)
    {
        int i = 0;
        foreach (KeyValuePair<string, FieldState> field in state.FieldDictionary)
        {
            into[i++] = field;
        }

        Span<KeyValuePair<string, FieldState>> sorted = into.AsSpan(0, i);
        sorted.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return sorted;
    }
}

using System.Text.Json;

namespace Concord.Records;

/// <summary>Splits a JSON object held as <see cref="RawJsonValue"/> into its members, each still raw.</summary>
public static class JsonObjectFields
{
    /// <summary>
    /// Reads the members of <paramref name="json"/>. The values are slices of the input; nothing is copied.
    /// </summary>
    /// <returns>False when the value is not an object or names a member twice.</returns>
    public static bool TrySplit(RawJsonValue json, Dictionary<string, RawJsonValue> into, out string? duplicate) => TrySplit(json, into, null, out duplicate);

    /// <summary>Reads the members of <paramref name="json"/>, taking member names from <paramref name="names"/> when given.</summary>
    /// <returns>False when the value is not an object or names a member twice.</returns>
    public static bool TrySplit(RawJsonValue json, Dictionary<string, RawJsonValue> into, FieldNameCache? names, out string? duplicate)
    {
        ArgumentNullException.ThrowIfNull(into);
        duplicate = null;
        ReadOnlyMemory<byte> utf8 = json.Utf8;
        var reader = new Utf8JsonReader(utf8.Span, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = names is not null && !reader.ValueIsEscaped && !reader.HasValueSequence ? names.Get(reader.ValueSpan) : reader.GetString()!;
            reader.Read();
            int start = (int)reader.TokenStartIndex;
            reader.Skip();
            int end = (int)reader.BytesConsumed;
            if (!into.TryAdd(name, RawJsonValue.FromValidatedUtf8(utf8[start..end])))
            {
                duplicate = name;
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes members as one JSON object, in ordinal name order.</summary>
    public static byte[] Write(IEnumerable<KeyValuePair<string, RawJsonValue>> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            foreach (KeyValuePair<string, RawJsonValue> member in members.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                writer.WritePropertyName(member.Key);
                writer.WriteRawValue(member.Value.Utf8.Span, skipInputValidation: true);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

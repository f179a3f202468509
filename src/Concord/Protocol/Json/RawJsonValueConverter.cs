using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Concord.Records;

namespace Concord.Protocol.Json;

/// <summary>Reads any JSON value as its raw text and writes raw text back unchanged.</summary>
internal sealed class RawJsonValueConverter : JsonConverter<RawJsonValue>
{
    public override bool HandleNull => true;

    public override RawJsonValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return RawJsonValue.Null;
        }

        if (reader.HasValueSequence)
        {
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            return RawJsonValue.FromValidatedUtf8(JsonMarshal.GetRawUtf8Value(document.RootElement).ToArray());
        }

        // The input is one contiguous buffer: the value's text runs from its first token to where Skip
        // stops, and Skip validates it. Copying that span is several times cheaper than building a
        // JsonDocument for every field object of a push.
        long start = reader.TokenStartIndex;
        ref byte first = ref MemoryMarshal.GetReference(reader.ValueSpan);
        if (reader.TokenType == JsonTokenType.String)
        {
            // ValueSpan starts inside the quotes.
            first = ref Unsafe.Subtract(ref first, 1);
        }

        reader.Skip();
        int length = checked((int)(reader.BytesConsumed - start));
        return RawJsonValue.FromValidatedUtf8(MemoryMarshal.CreateReadOnlySpan(ref first, length).ToArray());
    }

    public override void Write(Utf8JsonWriter writer, RawJsonValue value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8.Span, skipInputValidation: true);
}

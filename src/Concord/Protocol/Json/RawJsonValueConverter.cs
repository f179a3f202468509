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

        using JsonDocument document = JsonDocument.ParseValue(ref reader);
        return RawJsonValue.FromValidatedUtf8(JsonMarshal.GetRawUtf8Value(document.RootElement).ToArray());
    }

    public override void Write(Utf8JsonWriter writer, RawJsonValue value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8.Span, skipInputValidation: true);
}

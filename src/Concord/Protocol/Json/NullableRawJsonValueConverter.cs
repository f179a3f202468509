using System.Text.Json;
using System.Text.Json.Serialization;
using Concord.Records;

namespace Concord.Protocol.Json;

/// <summary>
/// <see cref="RawJsonValueConverter"/> for a <see cref="RawJsonValue"/>? member: a member's own converter must
/// convert its exact type, and System.Text.Json only wraps the converters it finds itself.
/// </summary>
internal sealed class NullableRawJsonValueConverter(RawJsonValueConverter converter) : JsonConverter<RawJsonValue?>
{
    // As the wrapper System.Text.Json makes: a JSON null reaches the value converter, which reads it as RawJsonValue.Null.
    public override bool HandleNull => true;

    public override RawJsonValue? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        converter.Read(ref reader, typeof(RawJsonValue), options);

    public override void Write(Utf8JsonWriter writer, RawJsonValue? value, JsonSerializerOptions options)
    {
        if (value is { } present)
        {
            converter.Write(writer, present, options);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

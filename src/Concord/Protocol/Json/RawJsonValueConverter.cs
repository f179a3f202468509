using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Concord.Records;

namespace Concord.Protocol.Json;

/// <summary>
/// Reads any JSON value as its raw text and writes raw text back unchanged. A codec's instance also
/// refuses values nested deeper than its limit, counted from the value itself wherever it sits in a message,
/// and numbers beyond <see cref="JsonNumberParts"/>' bounds, which CBOR could not carry.
/// </summary>
internal sealed class RawJsonValueConverter : JsonConverter<RawJsonValue>
{
    /// <summary>Numbers this short are always within bounds (and are most numbers): only longer ones are looked at.</summary>
    private const int ShortNumberLength = 20;

    private readonly int _maxDepth;

    /// <summary>Reads values of any depth: for data a codec already checked (stores, outboxes).</summary>
    public RawJsonValueConverter()
        : this(int.MaxValue)
    {
    }

    /// <summary>Reads values nested at most <paramref name="maxDepth"/> arrays or objects deep (a scalar is depth 0).</summary>
    public RawJsonValueConverter(int maxDepth) => _maxDepth = maxDepth;

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
            byte[] copy = JsonMarshal.GetRawUtf8Value(document.RootElement).ToArray();
            var again = new Utf8JsonReader(copy);
            again.Read();
            Walk(ref again);
            return RawJsonValue.FromValidatedUtf8(copy);
        }

        // The input is one contiguous buffer: the value's text runs from its first token to where the walk
        // stops, and the walk validates it. Copying that span is several times cheaper than building a
        // JsonDocument for every field object of a push.
        long start = reader.TokenStartIndex;
        ref byte first = ref MemoryMarshal.GetReference(reader.ValueSpan);
        if (reader.TokenType == JsonTokenType.String)
        {
            // ValueSpan starts inside the quotes.
            first = ref Unsafe.Subtract(ref first, 1);
        }

        Walk(ref reader);
        int length = checked((int)(reader.BytesConsumed - start));
        return RawJsonValue.FromValidatedUtf8(MemoryMarshal.CreateReadOnlySpan(ref first, length).ToArray());
    }

    public override void Write(Utf8JsonWriter writer, RawJsonValue value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8.Span, skipInputValidation: true);

    /// <summary>
    /// Reads past the value the reader is on, as <see cref="Utf8JsonReader.Skip"/> does, checking each token
    /// on the way.
    /// </summary>
    private void Walk(ref Utf8JsonReader reader)
    {
        int start = reader.CurrentDepth;
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            CheckScalar(ref reader);
            return;
        }

        if (_maxDepth < 1)
        {
            throw TooDeep();
        }

        do
        {
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    // A container whose token is k levels below the value's first one is nested k + 1 deep.
                    if (reader.CurrentDepth - start >= _maxDepth)
                    {
                        throw TooDeep();
                    }

                    break;
                case JsonTokenType.Number when reader.ValueSpan.Length >= ShortNumberLength:
                    CheckScalar(ref reader);
                    break;
            }
        }
        while (reader.CurrentDepth > start);
    }

    private static void CheckScalar(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.ValueSpan.Length >= ShortNumberLength && !JsonNumberParts.TryParse(reader.ValueSpan, out _))
        {
            throw new JsonException(JsonNumberParts.BoundsMessage);
        }
    }

    private JsonException TooDeep() => new($"A value is nested deeper than the server allows ({_maxDepth} arrays or objects).");
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Concord.Records;

namespace Concord.Protocol.Json;

/// <summary>
/// Reads any JSON value as its raw text and writes raw text back unchanged. It also refuses what the CBOR
/// codec could not carry, so that both accept the same values: strings that are not Unicode (invalid UTF-8,
/// or an escaped half of a surrogate pair), numbers beyond <see cref="JsonNumberParts"/>' bounds, and, in a
/// codec's instance, values nested deeper than its limit, counted from the value itself wherever it sits.
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
            CheckUtf8(copy);
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
        ReadOnlySpan<byte> text = MemoryMarshal.CreateReadOnlySpan(ref first, length);
        CheckUtf8(text);
        return RawJsonValue.FromValidatedUtf8(text.ToArray());
    }

    public override void Write(Utf8JsonWriter writer, RawJsonValue value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8.Span, skipInputValidation: true);

    /// <summary>
    /// Reads past the value the reader is on, as <see cref="Utf8JsonReader.Skip"/> does, checking each token
    /// on the way. UTF-8 is checked over the whole value at once (<see cref="CheckUtf8"/>): its structure is ASCII.
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
                case JsonTokenType.String or JsonTokenType.PropertyName when reader.ValueIsEscaped:
                case JsonTokenType.Number when reader.ValueSpan.Length >= ShortNumberLength:
                    CheckScalar(ref reader);
                    break;
            }
        }
        while (reader.CurrentDepth > start);
    }

    private static void CheckScalar(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String or JsonTokenType.PropertyName when reader.ValueIsEscaped && !EscapesAreUnicode(reader.ValueSpan):
                throw new JsonException("A string escapes half of a surrogate pair: it is not Unicode text.");
            case JsonTokenType.Number when reader.ValueSpan.Length >= ShortNumberLength && !JsonNumberParts.TryParse(reader.ValueSpan, out _):
                throw new JsonException(JsonNumberParts.BoundsMessage);
        }
    }

    /// <summary>
    /// Whether every <c>\u</c> escape of a surrogate is half of a pair: text that is not Unicode cannot be
    /// a CBOR text string, nor read as a .NET string.
    /// </summary>
    private static bool EscapesAreUnicode(ReadOnlySpan<byte> escaped)
    {
        bool wantLow = false;
        int i = 0;
        while (true)
        {
            int next = escaped[i..].IndexOf((byte)'\\');
            if (next < 0 || (wantLow && next != 0))
            {
                return next < 0 && !wantLow;
            }

            // The reader has checked every escape: a backslash is followed by its letter, and 'u' by four hex digits.
            i += next;
            if (escaped[i + 1] != (byte)'u')
            {
                if (wantLow)
                {
                    return false;
                }

                i += 2;
                continue;
            }

            System.Buffers.Text.Utf8Parser.TryParse(escaped.Slice(i + 2, 4), out ushort unit, out _, 'x');
            bool high = unit is >= 0xD800 and <= 0xDBFF, low = unit is >= 0xDC00 and <= 0xDFFF;
            if (low != wantLow)
            {
                return false;
            }

            wantLow = high;
            i += 6;
        }
    }

    /// <summary>The reader leaves UTF-8 inside strings unchecked; .NET strings and CBOR text both need it valid.</summary>
    private static void CheckUtf8(ReadOnlySpan<byte> text)
    {
        if (!System.Text.Unicode.Utf8.IsValid(text))
        {
            throw new JsonException("A string is not valid UTF-8.");
        }
    }

    private JsonException TooDeep() => new($"A value is nested deeper than the server allows ({_maxDepth} arrays or objects).");
}

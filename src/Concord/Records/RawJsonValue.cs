using System.Text;
using System.Text.Json;

namespace Concord.Records;

/// <summary>
/// One JSON value kept as its UTF-8 text. Field values travel through the server this way:
/// read from a request, merged and stored, then written into a pull response without being
/// turned into objects and back.
/// </summary>
/// <example><code>
/// var title = RawJsonValue.Parse("\"Buy milk\"");
/// string text = title.ToString(); // "\"Buy milk\""
/// </code></example>
public readonly struct RawJsonValue : IEquatable<RawJsonValue>
{
    private static readonly byte[] NullLiteral = "null"u8.ToArray();

    private readonly ReadOnlyMemory<byte> _utf8;

    private RawJsonValue(ReadOnlyMemory<byte> utf8) => _utf8 = utf8;

    /// <summary>The JSON literal <c>null</c>.</summary>
    public static RawJsonValue Null => new(NullLiteral);

    /// <summary>The UTF-8 JSON text; <c>null</c> for a default value.</summary>
    public ReadOnlyMemory<byte> Utf8 => _utf8.IsEmpty ? NullLiteral : _utf8;

    /// <summary>The value's JSON kind, read from its first byte.</summary>
    public JsonValueKind Kind => Utf8.Span[0] switch
    {
        (byte)'{' => JsonValueKind.Object,
        (byte)'[' => JsonValueKind.Array,
        (byte)'"' => JsonValueKind.String,
        (byte)'t' => JsonValueKind.True,
        (byte)'f' => JsonValueKind.False,
        (byte)'n' => JsonValueKind.Null,
        _ => JsonValueKind.Number,
    };

    /// <summary>Parses and validates JSON text.</summary>
    /// <exception cref="JsonException"><paramref name="json"/> is not one JSON value.</exception>
    public static RawJsonValue Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Validates UTF-8 JSON text and wraps it without copying.</summary>
    /// <exception cref="JsonException"><paramref name="utf8"/> is not one JSON value.</exception>
    public static RawJsonValue Parse(ReadOnlyMemory<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8.Span);
        reader.Read();
        reader.Skip();
        if (reader.Read())
        {
            throw new JsonException("Expected a single JSON value.");
        }

        return new RawJsonValue(utf8);
    }

    /// <summary>Wraps UTF-8 JSON text that is already known to be one valid value.</summary>
    public static RawJsonValue FromValidatedUtf8(ReadOnlyMemory<byte> utf8) => new(utf8);

    /// <summary>Copies the value under <paramref name="element"/>.</summary>
    public static RawJsonValue FromElement(JsonElement element) =>
        new(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element).ToArray());

    /// <summary>Parses the value into a <see cref="JsonElement"/> that does not need disposing.</summary>
    public JsonElement ToElement()
    {
        var reader = new Utf8JsonReader(Utf8.Span);
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>Byte-wise equality of the JSON text.</summary>
    public bool Equals(RawJsonValue other) => Utf8.Span.SequenceEqual(other.Utf8.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is RawJsonValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Utf8.Span);
        return hash.ToHashCode();
    }

    /// <summary>The JSON text.</summary>
    public override string ToString() => Encoding.UTF8.GetString(Utf8.Span);

#pragma warning disable CS1591 // Operators mean what they say.
    public static bool operator ==(RawJsonValue left, RawJsonValue right) => left.Equals(right);
    public static bool operator !=(RawJsonValue left, RawJsonValue right) => !left.Equals(right);
#pragma warning restore CS1591
}

using System.Globalization;
using System.Numerics;

namespace Concord.Protocol;

/// <summary>
/// A JSON number's text taken apart: its sign, its digits, and the exponent that applies once every digit
/// is in the integer part (<c>-12.5e3</c> is -125 × 10^2). Both codecs bound numbers by it, so that a
/// number one of them accepts the other can carry: CBOR holds an integer of any size as a bignum, and a
/// number a double cannot hold as a decimal fraction whose exponent is a 64-bit integer.
/// </summary>
internal readonly ref struct JsonNumberParts
{
    /// <summary>Most digits a number may have, before and after its point: beyond it, turning decimal digits into binary ones costs more than a body that size should.</summary>
    public const int MaxDigits = 1000;

    /// <summary>What a refusal says.</summary>
    public const string BoundsMessage = "A number has at most 1000 digits, and an exponent that fits in 64 bits once its fraction digits are counted in.";

    private JsonNumberParts(bool negative, ReadOnlySpan<byte> integer, ReadOnlySpan<byte> fraction, long exponent, bool isInteger)
    {
        Negative = negative;
        IntegerDigits = integer;
        FractionDigits = fraction;
        Exponent = exponent;
        IsInteger = isInteger;
    }

    /// <summary>Whether the number is written with a minus sign (<c>-0</c> included).</summary>
    public bool Negative { get; }

    /// <summary>The digits before the point.</summary>
    public ReadOnlySpan<byte> IntegerDigits { get; }

    /// <summary>The digits after the point, if any.</summary>
    public ReadOnlySpan<byte> FractionDigits { get; }

    /// <summary>The power of ten the digits, read as one integer, are multiplied by.</summary>
    public long Exponent { get; }

    /// <summary>Whether the number is written as an integer: digits only, no point and no exponent.</summary>
    public bool IsInteger { get; }

    /// <summary>Takes apart the text of a number that is valid JSON; false when it is beyond the bounds.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out JsonNumberParts parts)
    {
        parts = default;
        bool negative = text.Length > 0 && text[0] == (byte)'-';
        ReadOnlySpan<byte> rest = negative ? text[1..] : text;
        int end = rest.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        ReadOnlySpan<byte> integer = end < 0 ? rest : rest[..end];
        bool isInteger = end < 0;
        rest = isInteger ? [] : rest[end..];
        ReadOnlySpan<byte> fraction = [];
        if (rest.Length > 0 && rest[0] == (byte)'.')
        {
            end = rest[1..].IndexOfAnyExceptInRange((byte)'0', (byte)'9');
            fraction = end < 0 ? rest[1..] : rest.Slice(1, end);
            rest = rest[(1 + fraction.Length)..];
        }

        if (integer.Length + fraction.Length > MaxDigits)
        {
            return false;
        }

        Int128 exponent = 0;
        if (rest.Length > 1)
        {
            // 'e' or 'E', a sign or none, then digits.
            bool negativeExponent = rest[1] == (byte)'-';
            ReadOnlySpan<byte> digits = rest[(rest[1] is (byte)'-' or (byte)'+' ? 2 : 1)..];
            int significant = digits.IndexOfAnyExcept((byte)'0');
            digits = significant < 0 ? [] : digits[significant..];
            if (digits.Length > 19 || !ulong.TryParse(digits.IsEmpty ? "0"u8 : digits, NumberStyles.None, CultureInfo.InvariantCulture, out ulong magnitude))
            {
                return false;
            }

            exponent = negativeExponent ? -(Int128)magnitude : magnitude;
        }

        exponent -= fraction.Length;
        if (exponent < long.MinValue || exponent > long.MaxValue)
        {
            return false;
        }

        parts = new JsonNumberParts(negative, integer, fraction, (long)exponent, isInteger);
        return true;
    }

    /// <summary>The digits as one signed integer: the number is this times 10^<see cref="Exponent"/>.</summary>
    public BigInteger Mantissa()
    {
        Span<char> digits = stackalloc char[IntegerDigits.Length + FractionDigits.Length];
        for (int i = 0; i < IntegerDigits.Length; i++)
        {
            digits[i] = (char)IntegerDigits[i];
        }

        for (int i = 0; i < FractionDigits.Length; i++)
        {
            digits[IntegerDigits.Length + i] = (char)FractionDigits[i];
        }

        BigInteger magnitude = BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        return Negative ? -magnitude : magnitude;
    }
}

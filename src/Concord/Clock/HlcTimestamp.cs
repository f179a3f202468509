using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Concord.Clock;

/// <summary>
/// A hybrid logical clock reading: 48 bits of wall-clock milliseconds, a 16-bit counter,
/// and the id of the node that made it as the last tie-breaker.
/// </summary>
/// <remarks>
/// The wire form is <c>{ms:12 hex}{counter:4 hex}-{node}</c> in lowercase, so that ordinal
/// string order is exactly clock order: the fixed-width hex part compares first, then the node id.
/// </remarks>
/// <example><code>var ts = HlcTimestamp.Parse("0190f3a2b4c10003-node7"); // ts.Counter == 3</code></example>
public readonly struct HlcTimestamp : IEquatable<HlcTimestamp>, IComparable<HlcTimestamp>, ISpanFormattable
{
    /// <summary>The greatest wall-clock value that fits in 48 bits.</summary>
    public const long MaxMilliseconds = (1L << 48) - 1;

    /// <summary>Length of the fixed-width hexadecimal part of the wire form.</summary>
    public const int HexLength = 16;

    /// <summary>The longest node id accepted.</summary>
    public const int MaxNodeIdLength = 64;

    private readonly ulong _logical;
    private readonly string? _nodeId;

    /// <summary>Creates a timestamp from its parts.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A part is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="nodeId"/> is not a valid node id.</exception>
    public HlcTimestamp(long milliseconds, int counter, string nodeId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(milliseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(milliseconds, MaxMilliseconds);
        ArgumentOutOfRangeException.ThrowIfNegative(counter);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(counter, ushort.MaxValue);
        if (!IsValidNodeId(nodeId))
        {
            throw new ArgumentException("A node id is 1-64 characters of A-Z, a-z, 0-9, '_', '.', '~' or '-'.", nameof(nodeId));
        }

        _logical = ((ulong)milliseconds << 16) | (uint)counter;
        _nodeId = nodeId;
    }

    internal HlcTimestamp(ulong logical, string nodeId)
    {
        _logical = logical;
        _nodeId = nodeId;
    }

    /// <summary>Wall-clock milliseconds since the Unix epoch.</summary>
    public long Milliseconds => (long)(_logical >> 16);

    /// <summary>The logical counter within one millisecond.</summary>
    public int Counter => (int)(_logical & 0xFFFF);

    /// <summary>The node that made this reading.</summary>
    public string NodeId => _nodeId ?? string.Empty;

    /// <summary>Milliseconds and counter packed in one number; orders like the clock, ignoring the node.</summary>
    public ulong Logical => _logical;

    /// <summary>True for <c>default</c>, which no clock ever produces.</summary>
    public bool IsEmpty => _nodeId is null;

    /// <summary>Length of the wire form.</summary>
    public int Length => HexLength + 1 + NodeId.Length;

    /// <summary>Whether <paramref name="nodeId"/> may be used as a node id.</summary>
    public static bool IsValidNodeId([NotNullWhen(true)] string? nodeId) => nodeId is not null && IsValidNodeId(nodeId.AsSpan());

    private static bool IsValidNodeId(ReadOnlySpan<char> nodeId)
    {
        if (nodeId.Length is 0 or > MaxNodeIdLength)
        {
            return false;
        }

        foreach (char c in nodeId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '~' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses the wire form.</summary>
    /// <exception cref="FormatException"><paramref name="text"/> is not a timestamp.</exception>
    public static HlcTimestamp Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParse(text, out HlcTimestamp value))
        {
            throw new FormatException($"'{text}' is not a hybrid logical clock timestamp.");
        }

        return value;
    }

    /// <summary>Parses the wire form without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out HlcTimestamp value)
    {
        if (text is null)
        {
            value = default;
            return false;
        }

        return TryParse(text.AsSpan(), text, out value);
    }

    /// <summary>Parses the wire form without throwing.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out HlcTimestamp value) => TryParse(text, null, out value);

    /// <summary>
    /// Parses the wire form, reusing <paramref name="nodeIdCache"/>'s string when the node id matches it,
    /// so that parsing many readings of one node allocates nothing.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, string? nodeIdCache, out HlcTimestamp value)
    {
        value = default;
        if (text.Length < HexLength + 2 || text[HexLength] != '-')
        {
            return false;
        }

        ReadOnlySpan<char> hex = text[..HexLength];
        foreach (char c in hex)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        if (!ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong logical))
        {
            return false;
        }

        ReadOnlySpan<char> node = text[(HexLength + 1)..];
        if (!IsValidNodeId(node))
        {
            return false;
        }

        string nodeId = nodeIdCache is not null && node.SequenceEqual(nodeIdCache) ? nodeIdCache : node.ToString();
        value = new HlcTimestamp(logical, nodeId);
        return true;
    }

    /// <inheritdoc />
    public int CompareTo(HlcTimestamp other)
    {
        int c = _logical.CompareTo(other._logical);
        return c != 0 ? c : string.CompareOrdinal(_nodeId, other._nodeId);
    }

    /// <inheritdoc />
    public bool Equals(HlcTimestamp other) => _logical == other._logical && string.Equals(_nodeId, other._nodeId, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is HlcTimestamp other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_logical, _nodeId);

    /// <summary>The wire form, for example <c>0190f3a2b4c10003-node7</c>.</summary>
    public override string ToString() => IsEmpty ? string.Empty : string.Create(Length, this, static (span, ts) => ts.TryFormat(span, out _));

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <summary>Writes the wire form into <paramref name="destination"/>.</summary>
    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        int length = Length;
        if (IsEmpty || destination.Length < length)
        {
            charsWritten = 0;
            return false;
        }

        _logical.TryFormat(destination[..HexLength], out _, "x16", CultureInfo.InvariantCulture);
        destination[HexLength] = '-';
        NodeId.AsSpan().CopyTo(destination[(HexLength + 1)..]);
        charsWritten = length;
        return true;
    }

    /// <summary>Writes the wire form as UTF-8 into <paramref name="destination"/>.</summary>
    public bool TryFormat(Span<byte> destination, out int bytesWritten)
    {
        int length = Length;
        if (IsEmpty || destination.Length < length)
        {
            bytesWritten = 0;
            return false;
        }

        Utf8Formatter.TryFormat(_logical, destination[..HexLength], out _, new System.Buffers.StandardFormat('x', HexLength));
        destination[HexLength] = (byte)'-';
        for (int i = 0; i < NodeId.Length; i++)
        {
            destination[HexLength + 1 + i] = (byte)NodeId[i];
        }

        bytesWritten = length;
        return true;
    }

    bool ISpanFormattable.TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        TryFormat(destination, out charsWritten);

    /// <summary>The later of two readings.</summary>
    public static HlcTimestamp Max(HlcTimestamp a, HlcTimestamp b) => a.CompareTo(b) >= 0 ? a : b;

#pragma warning disable CS1591 // Operators mean what they say.
    public static bool operator ==(HlcTimestamp left, HlcTimestamp right) => left.Equals(right);
    public static bool operator !=(HlcTimestamp left, HlcTimestamp right) => !left.Equals(right);
    public static bool operator <(HlcTimestamp left, HlcTimestamp right) => left.CompareTo(right) < 0;
    public static bool operator <=(HlcTimestamp left, HlcTimestamp right) => left.CompareTo(right) <= 0;
    public static bool operator >(HlcTimestamp left, HlcTimestamp right) => left.CompareTo(right) > 0;
    public static bool operator >=(HlcTimestamp left, HlcTimestamp right) => left.CompareTo(right) >= 0;
#pragma warning restore CS1591
}

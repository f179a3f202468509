using System.Globalization;

namespace Concord.Protocol.Realtime;

/// <summary>
/// The <c>id</c> a request frame carries and its answer repeats: a string of 1–64 characters or a
/// non-negative integer, repeated exactly as it came (a number stays a number).
/// </summary>
/// <example><code>
/// FrameId id = FrameId.From(7);         // "id": 7
/// FrameId named = FrameId.From("p-1");  // "id": "p-1"
/// </code></example>
public readonly record struct FrameId
{
    /// <summary>Longest string id, in characters.</summary>
    public const int MaxLength = 64;

    private FrameId(string? text, long number)
    {
        Text = text;
        Number = number;
    }

    /// <summary>The id when it is a string; null when it is a number.</summary>
    public string? Text { get; }

    /// <summary>The id when it is a number.</summary>
    public long Number { get; }

    /// <summary>Whether the id is a number.</summary>
    public bool IsNumber => Text is null;

    /// <summary>A numeric id.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="number"/> is negative.</exception>
    public static FrameId From(long number)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        return new FrameId(null, number);
    }

    /// <summary>A string id.</summary>
    /// <exception cref="ArgumentException"><paramref name="text"/> is empty or longer than <see cref="MaxLength"/>.</exception>
    public static FrameId From(string text) =>
        IsValid(text) ? new FrameId(text, 0) : throw new ArgumentException($"A frame id is 1-{MaxLength} characters.", nameof(text));

    /// <summary>Whether <paramref name="text"/> may be a string id.</summary>
    public static bool IsValid(string? text) => text is { Length: > 0 and <= MaxLength };

    /// <inheritdoc />
    public override string ToString() => Text ?? Number.ToString(CultureInfo.InvariantCulture);
}

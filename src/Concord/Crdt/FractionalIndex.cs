using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Concord.Crdt;

/// <summary>
/// Keys for ordering list items: a key strictly between any two keys, so that an item is inserted or
/// moved by writing one short string field (last-writer-wins), never by renumbering its neighbours.
/// </summary>
/// <remarks>
/// Keys order by ordinal string comparison. A key is an integer part (a head letter giving its length,
/// then base-62 digits), an optional fraction, and a replica suffix: the replica id and one digit for
/// its length. Appends and prepends step the integer part, so 10,000 of them keep keys a few characters
/// long; inserts between two keys extend the fraction. Two replicas inserting into the same gap at the
/// same time compute the same position but different suffixes, so their keys never collide, and the
/// suffix layout (id, then its length) makes two different (position, replica) pairs always different keys.
/// The integer/fraction scheme is the one popularised by Figma and the fractional-indexing library.
/// </remarks>
/// <example><code>
/// string first = FractionalIndex.Between(null, null, "phone");    // "a0phone5"
/// string second = FractionalIndex.Between(first, null, "phone");  // after first
/// string front = FractionalIndex.Between(null, first, "laptop");  // before first
/// </code></example>
public static class FractionalIndex
{
    private const string Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string IntegerZero = "a0";
    private const string SmallestInteger = "A00000000000000000000000000";

    /// <summary>
    /// A key strictly after <paramref name="before"/> and strictly before <paramref name="after"/>
    /// (null: no bound on that side), unique to <paramref name="replica"/>.
    /// </summary>
    /// <param name="before">The key of the item before, or null at the start.</param>
    /// <param name="after">The key of the item after, or null at the end.</param>
    /// <param name="replica">This replica's id: 1 to 61 letters and digits.</param>
    /// <exception cref="ArgumentException">A bound is not a valid key, <paramref name="before"/> does not sort below <paramref name="after"/>, or the replica id is unusable.</exception>
    public static string Between(string? before, string? after, string replica)
    {
        if (string.IsNullOrEmpty(replica) || replica.Length >= Digits.Length || !replica.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException("A replica id for ordering keys is 1 to 61 letters and digits.", nameof(replica));
        }

        Validate(before, nameof(before));
        Validate(after, nameof(after));
        if (before is not null && after is not null && string.CompareOrdinal(before, after) >= 0)
        {
            throw new ArgumentException("before must sort below after.", nameof(before));
        }

        // A key that is a prefix of the upper bound would no longer be below it once the suffix is added.
        string key = KeyBetween(before, after);
        while (after is not null && after.StartsWith(key, StringComparison.Ordinal))
        {
            key = KeyBetween(key, after);
        }

        return key + replica + Digits[replica.Length];
    }

    /// <summary>Whether <paramref name="key"/> is a well-formed key (a valid integer part, no trailing zero).</summary>
    public static bool IsValid([NotNullWhen(true)] string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Any(c => !char.IsAsciiLetterOrDigit(c)))
        {
            return false;
        }

        int length = IntegerLength(key[0]);
        return length > 0 && length <= key.Length && key != SmallestInteger && (key.Length == length || key[^1] != '0');
    }

    private static void Validate(string? key, string parameter)
    {
        if (key is not null && !IsValid(key))
        {
            throw new ArgumentException($"'{key}' is not an ordering key.", parameter);
        }
    }

    private static string KeyBetween(string? a, string? b)
    {
        if (a is null && b is null)
        {
            return IntegerZero;
        }

        if (a is null)
        {
            string ib = IntegerPart(b!);
            string fb = b![ib.Length..];
            if (ib == SmallestInteger)
            {
                return ib + Midpoint(string.Empty, fb);
            }

            // Stepping the integer down keeps prepends short; the bare integer (shorter, but a prefix of b)
            // would only grow the fraction once the replica suffix is added.
            return Decrement(ib) ?? ib + Midpoint(string.Empty, fb);
        }

        string ia = IntegerPart(a);
        string fa = a[ia.Length..];
        if (b is null)
        {
            return Increment(ia) ?? ia + Midpoint(fa, null);
        }

        string ib2 = IntegerPart(b);
        string fb2 = b[ib2.Length..];
        if (ia == ib2)
        {
            return ia + Midpoint(fa, fb2);
        }

        string? next = Increment(ia);
        return next is not null && string.CompareOrdinal(next, b) < 0 ? next : ia + Midpoint(fa, null);
    }

    /// <summary>A fraction strictly between <paramref name="a"/> and <paramref name="b"/> (null: 1), with no trailing zero.</summary>
    private static string Midpoint(string a, string? b)
    {
        if (b is not null)
        {
            int n = 0;
            while (n < b.Length && (n < a.Length ? a[n] : '0') == b[n])
            {
                n++;
            }

            if (n > 0)
            {
                return b[..n] + Midpoint(n < a.Length ? a[n..] : string.Empty, b[n..]);
            }
        }

        int digitA = a.Length > 0 ? Digits.IndexOf(a[0], StringComparison.Ordinal) : 0;
        int digitB = b is not null ? Digits.IndexOf(b[0], StringComparison.Ordinal) : Digits.Length;
        if (digitB - digitA > 1)
        {
            return Digits[(int)Math.Round(0.5 * (digitA + digitB), MidpointRounding.AwayFromZero)].ToString();
        }

        if (b is not null && b.Length > 1)
        {
            return b[..1];
        }

        return Digits[digitA] + Midpoint(a.Length > 0 ? a[1..] : string.Empty, null);
    }

    private static int IntegerLength(char head) => head switch
    {
        >= 'a' and <= 'z' => head - 'a' + 2,
        >= 'A' and <= 'Z' => 'Z' - head + 2,
        _ => 0,
    };

    private static string IntegerPart(string key) => key[..IntegerLength(key[0])];

    private static string? Increment(string integer)
    {
        char head = integer[0];
        var digits = new StringBuilder(integer[1..]);
        for (int i = digits.Length - 1; i >= 0; i--)
        {
            int d = Digits.IndexOf(digits[i], StringComparison.Ordinal) + 1;
            if (d < Digits.Length)
            {
                digits[i] = Digits[d];
                return head + digits.ToString();
            }

            digits[i] = '0';
        }

        if (head == 'Z')
        {
            return IntegerZero;
        }

        if (head == 'z')
        {
            return null;
        }

        char next = (char)(head + 1);
        if (next > 'a')
        {
            digits.Append('0');
        }
        else
        {
            digits.Length--;
        }

        return next + digits.ToString();
    }

    private static string? Decrement(string integer)
    {
        char head = integer[0];
        var digits = new StringBuilder(integer[1..]);
        for (int i = digits.Length - 1; i >= 0; i--)
        {
            int d = Digits.IndexOf(digits[i], StringComparison.Ordinal) - 1;
            if (d >= 0)
            {
                digits[i] = Digits[d];
                return head + digits.ToString();
            }

            digits[i] = 'z';
        }

        if (head == 'a')
        {
            return "Z" + Digits[^1];
        }

        if (head == 'A')
        {
            return null;
        }

        char previous = (char)(head - 1);
        if (previous < 'Z')
        {
            digits.Append('z');
        }
        else
        {
            digits.Length--;
        }

        return previous + digits.ToString();
    }
}

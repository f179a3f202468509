using System.Diagnostics.CodeAnalysis;

namespace Concord.Validation;

/// <summary>What names and ids the protocol accepts. Shared by server and client so both refuse the same input.</summary>
public static class NameRules
{
    /// <summary>Longest collection name.</summary>
    public const int MaxCollectionNameLength = 64;

    /// <summary>Whether <paramref name="name"/> matches <c>^[A-Za-z_][A-Za-z0-9_.-]{0,63}$</c>.</summary>
    public static bool IsValidCollectionName([NotNullWhen(true)] string? name)
    {
        if (name is null || name.Length is 0 or > MaxCollectionNameLength)
        {
            return false;
        }

        if (!(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (char c in name.AsSpan(1))
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="id"/> is 1 to <paramref name="maxLength"/> characters, none of them control characters or lone surrogates.</summary>
    public static bool IsValidId([NotNullWhen(true)] string? id, int maxLength) => IsPrintable(id, maxLength);

    /// <summary>Whether <paramref name="name"/> is a usable field name: 1 to <paramref name="maxLength"/> printable characters.</summary>
    public static bool IsValidFieldName([NotNullWhen(true)] string? name, int maxLength) => IsPrintable(name, maxLength);

    private static bool IsPrintable(string? text, int maxLength)
    {
        if (text is null || text.Length == 0 || text.Length > maxLength)
        {
            return false;
        }

        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsControl(c))
            {
                return false;
            }

            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++;
            }
        }

        return true;
    }
}

namespace Concord.Crdt.Text;

/// <summary>
/// WTF-8: UTF-8 extended so that any UTF-16 string round-trips, including lone surrogates.
/// </summary>
/// <remarks>
/// Positions in a <see cref="ReplicatedText"/> count UTF-16 code units, so an edit may split a
/// surrogate pair and leave half of it in the document. Plain UTF-8 would have to replace that half
/// and replicas would diverge; WTF-8 writes a lone surrogate as its three-byte form instead. Valid
/// text encodes exactly as UTF-8. The decoder accepts only the canonical form: no overlong
/// sequences, no code point above U+10FFFF, and no surrogate pair written as two three-byte halves.
/// </remarks>
internal static class Wtf8
{
    /// <summary>Number of bytes <paramref name="text"/> takes.</summary>
    public static int GetByteCount(ReadOnlySpan<char> text)
    {
        int count = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 0x80)
            {
                count += 1;
            }
            else if (c < 0x800)
            {
                count += 2;
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                count += 4;
                i++;
            }
            else
            {
                count += 3;
            }
        }

        return count;
    }

    /// <summary>Writes <paramref name="text"/>; <paramref name="destination"/> holds exactly <see cref="GetByteCount"/> bytes.</summary>
    public static void Encode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        int o = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 0x80)
            {
                destination[o++] = (byte)c;
            }
            else if (c < 0x800)
            {
                destination[o++] = (byte)(0xC0 | (c >> 6));
                destination[o++] = (byte)(0x80 | (c & 0x3F));
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                int cp = char.ConvertToUtf32(c, text[i + 1]);
                i++;
                destination[o++] = (byte)(0xF0 | (cp >> 18));
                destination[o++] = (byte)(0x80 | ((cp >> 12) & 0x3F));
                destination[o++] = (byte)(0x80 | ((cp >> 6) & 0x3F));
                destination[o++] = (byte)(0x80 | (cp & 0x3F));
            }
            else
            {
                destination[o++] = (byte)(0xE0 | (c >> 12));
                destination[o++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                destination[o++] = (byte)(0x80 | (c & 0x3F));
            }
        }
    }

    /// <summary>
    /// Decodes <paramref name="bytes"/> into <paramref name="destination"/>, which must be large enough for
    /// one character per byte. Returns the number of characters, or -1 when the bytes are not canonical WTF-8.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> bytes, Span<char> destination)
    {
        int o = 0;
        bool lastWasLoneHigh = false;
        int i = 0;
        while (i < bytes.Length)
        {
            byte b0 = bytes[i];
            if (b0 < 0x80)
            {
                destination[o++] = (char)b0;
                lastWasLoneHigh = false;
                i++;
                continue;
            }

            if (b0 < 0xC2)
            {
                return -1; // continuation byte first, or overlong two-byte form
            }

            if (b0 < 0xE0)
            {
                if (i + 1 >= bytes.Length || !IsContinuation(bytes[i + 1]))
                {
                    return -1;
                }

                destination[o++] = (char)(((b0 & 0x1F) << 6) | (bytes[i + 1] & 0x3F));
                lastWasLoneHigh = false;
                i += 2;
                continue;
            }

            if (b0 < 0xF0)
            {
                if (i + 2 >= bytes.Length || !IsContinuation(bytes[i + 1]) || !IsContinuation(bytes[i + 2]))
                {
                    return -1;
                }

                int c = ((b0 & 0x0F) << 12) | ((bytes[i + 1] & 0x3F) << 6) | (bytes[i + 2] & 0x3F);
                if (c < 0x800)
                {
                    return -1; // overlong
                }

                if (char.IsLowSurrogate((char)c) && lastWasLoneHigh)
                {
                    return -1; // a pair must be written as one four-byte sequence
                }

                lastWasLoneHigh = char.IsHighSurrogate((char)c);
                destination[o++] = (char)c;
                i += 3;
                continue;
            }

            if (b0 > 0xF4 || i + 3 >= bytes.Length
                || !IsContinuation(bytes[i + 1]) || !IsContinuation(bytes[i + 2]) || !IsContinuation(bytes[i + 3]))
            {
                return -1;
            }

            int cp = ((b0 & 0x07) << 18) | ((bytes[i + 1] & 0x3F) << 12) | ((bytes[i + 2] & 0x3F) << 6) | (bytes[i + 3] & 0x3F);
            if (cp < 0x10000 || cp > 0x10FFFF)
            {
                return -1;
            }

            cp -= 0x10000;
            destination[o++] = (char)(0xD800 + (cp >> 10));
            destination[o++] = (char)(0xDC00 + (cp & 0x3FF));
            lastWasLoneHigh = false;
            i += 4;
        }

        return o;
    }

    private static bool IsContinuation(byte b) => (b & 0xC0) == 0x80;
}

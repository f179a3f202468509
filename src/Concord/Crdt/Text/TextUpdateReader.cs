using System.IO.Compression;
using Concord.Clock;

namespace Concord.Crdt.Text;

/// <summary>
/// Parses and validates the binary form described in <see cref="TextUpdateFormat"/>. It never throws on
/// bad input and never allocates more than the input can justify: every count is checked against the
/// bytes that remain before anything is sized by it.
/// </summary>
internal static class TextUpdateReader
{
    /// <summary>Decodes <paramref name="data"/>, or returns null with the reason in <paramref name="error"/>.</summary>
    public static TextUpdate? TryRead(ReadOnlySpan<byte> data, out string? error)
    {
        if (data.Length < 2)
        {
            error = "The update is shorter than its header.";
            return null;
        }

        if (data[0] != TextUpdateFormat.Version)
        {
            error = $"Unknown text update format version {data[0]}.";
            return null;
        }

        switch (data[1])
        {
            case TextUpdateFormat.EncodingRaw:
                return TryReadBody(data[2..], out error);
            case TextUpdateFormat.EncodingDeflate:
                byte[]? body = TryInflate(data[2..], out error);
                return body is null ? null : TryReadBody(body, out error);
            default:
                error = $"Unknown text update encoding {data[1]}.";
                return null;
        }
    }

    private static byte[]? TryInflate(ReadOnlySpan<byte> payload, out string? error)
    {
        var reader = new SpanReader(payload);
        if (!reader.TryReadInt(out int length) || length < 1)
        {
            error = "The compressed body length is missing or invalid.";
            return null;
        }

        // The compressed length is explicit because DEFLATE itself may decode a cut-off stream in full.
        if (!reader.TryReadInt(out int compressed) || compressed != reader.Remaining)
        {
            error = "The compressed body is truncated or followed by other bytes.";
            return null;
        }

        if (length > TextUpdateFormat.MaxBodyLength || length > (long)compressed * TextUpdateFormat.MaxDeflateRatio)
        {
            error = "The declared body length is larger than the compressed bytes can hold.";
            return null;
        }

        // Grow towards the declared length as data actually comes out, rather than trusting it up front.
        byte[] body = new byte[Math.Min(length, Math.Max(4096, compressed * 4))];
        try
        {
            using var input = new MemoryStream(payload[reader.Position..].ToArray(), writable: false);
            using var inflater = new DeflateStream(input, CompressionMode.Decompress);
            int filled = 0;
            while (filled < length)
            {
                if (filled == body.Length)
                {
                    Array.Resize(ref body, (int)Math.Min(length, body.Length * 2L));
                }

                int read = inflater.Read(body, filled, body.Length - filled);
                if (read == 0)
                {
                    error = "The compressed body is shorter than declared.";
                    return null;
                }

                filled += read;
            }

            Span<byte> probe = stackalloc byte[1];
            if (inflater.Read(probe) != 0)
            {
                error = "The compressed body is longer than declared.";
                return null;
            }
        }
        catch (InvalidDataException)
        {
            error = "The compressed body is not valid DEFLATE data.";
            return null;
        }

        error = null;
        return body;
    }

    private static TextUpdate? TryReadBody(ReadOnlySpan<byte> body, out string? error)
    {
        var r = new SpanReader(body);

        // Replica table.
        if (!r.TryReadInt(out int replicaCount) || replicaCount > r.Remaining / 2)
        {
            return Fail("The replica count is invalid.", out error);
        }

        string[] replicas = new string[replicaCount];
        for (int i = 0; i < replicaCount; i++)
        {
            if (!r.TryReadInt(out int length) || length < 1 || length > TextUpdateFormat.MaxReplicaIdLength || length > r.Remaining)
            {
                return Fail("A replica id length is invalid.", out error);
            }

            ReadOnlySpan<byte> bytes = r.ReadBytes(length);
            string id = string.Create(length, bytes.ToArray(), static (span, b) =>
            {
                for (int k = 0; k < b.Length; k++)
                {
                    span[k] = (char)b[k];
                }
            });
            if (!HlcTimestamp.IsValidNodeId(id))
            {
                return Fail("A replica id has characters outside [A-Za-z0-9_.~-].", out error);
            }

            replicas[i] = id;
        }

        if (replicaCount > 1 && new HashSet<string>(replicas, StringComparer.Ordinal).Count != replicaCount)
        {
            return Fail("A replica id appears twice in the replica table.", out error);
        }

        // Groups.
        if (!r.TryReadInt(out int groupCount) || groupCount > r.Remaining / 3)
        {
            return Fail("The item group count is invalid.", out error);
        }

        var groups = new (int Replica, int Clock, int Count)[groupCount];
        long itemTotal = 0;
        for (int g = 0; g < groupCount; g++)
        {
            if (!r.TryReadInt(out int replica) || replica >= replicaCount
                || !r.TryReadInt(out int clock)
                || !r.TryReadInt(out int count) || count < 1)
            {
                return Fail("An item group is invalid.", out error);
            }

            itemTotal += count;
            if (itemTotal > r.Remaining / 2)
            {
                return Fail("The item count is larger than the update can hold.", out error);
            }

            groups[g] = (replica, clock, count);
        }

        int n = (int)itemTotal;
        var items = new ItemRecord[n];

        // Info column.
        if (n > r.Remaining)
        {
            return Fail("The info column is truncated.", out error);
        }

        ReadOnlySpan<byte> info = r.ReadBytes(n);
        for (int i = 0; i < n; i++)
        {
            byte b = info[i];
            if ((b & TextUpdateFormat.ReservedBits) != 0 || (b & 0x3) == 3 || ((b >> 2) & 0x3) == 3)
            {
                return Fail("An item info byte is invalid.", out error);
            }
        }

        // Length column, with clocks assigned group by group.
        long contentChars = 0;
        int index = 0;
        foreach ((int replica, int startClock, int count) in groups)
        {
            long clock = startClock;
            for (int k = 0; k < count; k++, index++)
            {
                if (!r.TryReadInt(out int length) || length < 1 || clock + length > TextUpdateFormat.MaxClock)
                {
                    return Fail("An item length is invalid or runs past the largest clock.", out error);
                }

                ref ItemRecord item = ref items[index];
                item.Replica = replica;
                item.Clock = (int)clock;
                item.Length = length;
                clock += length;
                if ((info[index] & TextUpdateFormat.TombstoneFlag) == 0)
                {
                    contentChars += length;
                }
            }
        }

        // Origin columns.
        for (int i = 0; i < n; i++)
        {
            ref ItemRecord item = ref items[i];
            if (!TryReadOrigin(ref r, info[i] & 0x3, item, replicaCount, out item.OriginLeftReplica, out item.OriginLeftClock))
            {
                return Fail("A left origin is invalid.", out error);
            }
        }

        for (int i = 0; i < n; i++)
        {
            ref ItemRecord item = ref items[i];
            if (!TryReadOrigin(ref r, (info[i] >> 2) & 0x3, item, replicaCount, out item.OriginRightReplica, out item.OriginRightClock))
            {
                return Fail("A right origin is invalid.", out error);
            }
        }

        // Content.
        if (!r.TryReadInt(out int contentBytes) || contentBytes > r.Remaining || contentChars > contentBytes)
        {
            return Fail("The content length is invalid.", out error);
        }

        char[] content = new char[contentBytes];
        int decoded = Wtf8.Decode(r.ReadBytes(contentBytes), content);
        if (decoded < 0)
        {
            return Fail("The content is not valid WTF-8.", out error);
        }

        if (decoded != contentChars)
        {
            return Fail("The content does not match the item lengths.", out error);
        }

        if (decoded != content.Length)
        {
            Array.Resize(ref content, decoded);
        }

        int offset = 0;
        for (int i = 0; i < n; i++)
        {
            ref ItemRecord item = ref items[i];
            if ((info[i] & TextUpdateFormat.TombstoneFlag) != 0)
            {
                item.ContentOffset = -1;
            }
            else
            {
                item.ContentOffset = offset;
                offset += item.Length;
            }
        }

        // Deletes.
        if (!r.TryReadInt(out int deleteGroups) || deleteGroups > r.Remaining / 2)
        {
            return Fail("The delete group count is invalid.", out error);
        }

        var deletes = new List<DeleteRecord>();
        for (int g = 0; g < deleteGroups; g++)
        {
            if (!r.TryReadInt(out int replica) || replica >= replicaCount
                || !r.TryReadInt(out int ranges) || ranges < 1 || ranges > r.Remaining / 2)
            {
                return Fail("A delete group is invalid.", out error);
            }

            long clock = 0;
            for (int k = 0; k < ranges; k++)
            {
                if (!r.TryReadInt(out int gap) || !r.TryReadInt(out int length) || length < 1
                    || clock + gap + length > TextUpdateFormat.MaxClock)
                {
                    return Fail("A delete range is invalid.", out error);
                }

                clock += gap;
                deletes.Add(new DeleteRecord { Replica = replica, Clock = (int)clock, Length = length });
                clock += length;
            }
        }

        if (r.Remaining != 0)
        {
            return Fail("The update has bytes after its end.", out error);
        }

        error = null;
        return new TextUpdate(replicas, items, content, [.. deletes]);
    }

    private static bool TryReadOrigin(ref SpanReader r, int kind, in ItemRecord item, int replicaCount, out int replica, out int clock)
    {
        replica = -1;
        clock = 0;
        switch (kind)
        {
            case TextUpdateFormat.OriginNone:
                return true;
            case TextUpdateFormat.OriginSameReplica:
                if (!r.TryReadInt(out int delta) || delta < 1 || delta > item.Clock)
                {
                    return false;
                }

                replica = item.Replica;
                clock = item.Clock - delta;
                return true;
            default:
                if (!r.TryReadInt(out replica) || replica >= replicaCount || !r.TryReadInt(out clock) || clock >= TextUpdateFormat.MaxClock)
                {
                    replica = -1;
                    return false;
                }

                return true;
        }
    }

    private static TextUpdate? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }

    /// <summary>Reads canonical LEB128 varints from a span.</summary>
    private ref struct SpanReader
    {
        private readonly ReadOnlySpan<byte> _data;
        private int _position;

        public SpanReader(ReadOnlySpan<byte> data)
        {
            _data = data;
            _position = 0;
        }

        public readonly int Position => _position;

        public readonly int Remaining => _data.Length - _position;

        /// <summary>Reads a varint in [0, int.MaxValue]; rejects truncated, overlong and too large forms.</summary>
        public bool TryReadInt(out int value)
        {
            uint result = 0;
            for (int shift = 0; shift < 35; shift += 7)
            {
                if (_position >= _data.Length)
                {
                    value = 0;
                    return false;
                }

                byte b = _data[_position++];
                if (shift == 28 && b > 0x07)
                {
                    value = 0;
                    return false; // more than 31 bits
                }

                result |= (uint)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    if (b == 0 && shift > 0)
                    {
                        value = 0;
                        return false; // overlong
                    }

                    value = (int)result;
                    return true;
                }
            }

            value = 0;
            return false;
        }

        public ReadOnlySpan<byte> ReadBytes(int count)
        {
            ReadOnlySpan<byte> bytes = _data.Slice(_position, count);
            _position += count;
            return bytes;
        }
    }
}

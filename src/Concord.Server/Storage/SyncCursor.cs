using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Concord.Server.Storage;

/// <summary>
/// The opaque pull cursor: a store epoch, the tenant it belongs to, and the version reached,
/// with a checksum, in base64url. Clients never look inside.
/// </summary>
/// <remarks>
/// The epoch makes a cursor from a rebuilt or different store detectably stale instead of silently
/// skipping records; the tenant hash does the same for a cursor carried over from another tenant.
/// </remarks>
public readonly record struct SyncCursor(Guid Epoch, uint TenantHash, long Version)
{
    private const byte Format = 1;
    private const int Size = 1 + 16 + 4 + 8 + 4;

    /// <summary>A cursor for <paramref name="tenant"/> at <paramref name="version"/>.</summary>
    public static SyncCursor For(Guid epoch, string tenant, long version) => new(epoch, HashTenant(tenant), version);

    /// <summary>Whether this cursor was made for <paramref name="tenant"/>.</summary>
    public bool BelongsTo(string tenant) => TenantHash == HashTenant(tenant);

    /// <summary>The cursor's wire form.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        bytes[0] = Format;
        Epoch.TryWriteBytes(bytes.Slice(1, 16));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.Slice(17, 4), TenantHash);
        BinaryPrimitives.WriteInt64BigEndian(bytes.Slice(21, 8), Version);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.Slice(29, 4), Fnv1a(bytes[..29]));
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Reads a cursor; false when <paramref name="text"/> is not one this server made.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out SyncCursor cursor)
    {
        cursor = default;
        if (text is null || text.Length != Base64Url.GetEncodedLength(Size))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Size];
        if (Base64Url.DecodeFromChars(text, bytes, out int consumed, out int written) != System.Buffers.OperationStatus.Done
            || consumed != text.Length || written != Size || bytes[0] != Format
            || BinaryPrimitives.ReadUInt32BigEndian(bytes.Slice(29, 4)) != Fnv1a(bytes[..29]))
        {
            return false;
        }

        long version = BinaryPrimitives.ReadInt64BigEndian(bytes.Slice(21, 8));
        if (version < 0)
        {
            return false;
        }

        cursor = new SyncCursor(new Guid(bytes.Slice(1, 16)), BinaryPrimitives.ReadUInt32BigEndian(bytes.Slice(17, 4)), version);
        return true;
    }

    private static uint HashTenant(string tenant)
    {
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(Math.Min(tenant.Length, 256))];
        int length = Encoding.UTF8.GetBytes(tenant.AsSpan(0, Math.Min(tenant.Length, 256)), utf8);
        return Fnv1a(utf8[..length]);
    }

    private static uint Fnv1a(ReadOnlySpan<byte> data)
    {
        uint hash = 2166136261;
        foreach (byte b in data)
        {
            hash = (hash ^ b) * 16777619;
        }

        return hash;
    }
}

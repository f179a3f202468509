namespace Concord.Crdt.Text;

/// <summary>Constants and the written specification of the binary form of text updates and states.</summary>
/// <remarks>
/// <para>
/// An update and a full state share one format: a state is simply the update that holds every item.
/// All integers are unsigned LEB128 varints (at most 5 bytes, canonical, at most 2^31 - 1).
/// </para>
/// <code>
/// update   := version:u8 (= 1) encoding:u8 payload
///             encoding 0: payload = body
///             encoding 1: payload = bodyLength:varint compressedLength:varint deflate(body)
///                         (raw DEFLATE, RFC 1951; compressedLength is exactly the bytes that follow)
/// body     := replicas groups columns content deletes          (must end exactly at the end)
/// replicas := count:varint { length:varint(1..64) ascii[A-Za-z0-9_.~-] }   (distinct)
/// groups   := count:varint { replica:varint startClock:varint itemCount:varint(>=1) }
///             Items of a group have consecutive clocks: each starts where the previous ended.
/// columns  := info[n] length[n] leftOrigin* rightOrigin*           (n = sum of itemCount)
///   info   := one byte per item: bits 0-1 left origin kind, bits 2-3 right origin kind,
///             bit 4 tombstone (deleted; the item carries no content), bits 5-7 zero.
///             origin kind 0: none (left: start of text, right: end of text)
///                         1: same replica as the item; the column holds delta:varint (>= 1),
///                            origin clock = item clock - delta
///                         2: the column holds replica:varint clock:varint
///   length := varint (>= 1) per item, in UTF-16 code units
///   leftOrigin / rightOrigin: one entry per item whose kind is not 0, in item order
/// content  := byteLength:varint WTF-8 bytes: the content of every item that is not a tombstone,
///             concatenated in item order; it must decode to exactly the sum of their lengths
/// deletes  := count:varint { replica:varint ranges:varint { gap:varint length:varint(>=1) } }
///             a range starts gap clocks after the end of the previous range of its group
///             (the first after clock 0); ranges delete the characters they cover.
/// </code>
/// <para>
/// Item columns are written one after the other, so that DEFLATE sees long runs of alike bytes.
/// The writer merges consecutive items that form one run (same replica, consecutive clocks, the
/// second's left origin is the first's last character, same right origin, same tombstone flag),
/// and compresses only when the body is large enough and compression makes it smaller.
/// A state carries deleted items as tombstones (length only, no content); its delete section
/// holds only deletions of items not present yet. A tombstone deletes its characters wherever they
/// are, so applying a state never brings back text that the state's replica saw deleted.
/// </para>
/// </remarks>
internal static class TextUpdateFormat
{
    /// <summary>The format version written in the first byte.</summary>
    public const byte Version = 1;

    /// <summary>Body written as is.</summary>
    public const byte EncodingRaw = 0;

    /// <summary>Body compressed with raw DEFLATE, preceded by its uncompressed length.</summary>
    public const byte EncodingDeflate = 1;

    /// <summary>Clocks and clock + length never exceed this.</summary>
    public const int MaxClock = int.MaxValue;

    /// <summary>Largest uncompressed body accepted.</summary>
    public const int MaxBodyLength = 1 << 28;

    /// <summary>
    /// DEFLATE cannot expand data by more than about 1032 times, so a declared body longer than this many
    /// times the compressed bytes is refused before anything is allocated.
    /// </summary>
    public const int MaxDeflateRatio = 1040;

    /// <summary>Bodies shorter than this are not worth compressing.</summary>
    public const int CompressionThreshold = 160;

    /// <summary>Longest replica id.</summary>
    public const int MaxReplicaIdLength = 64;

    public const int OriginNone = 0;
    public const int OriginSameReplica = 1;
    public const int OriginExplicit = 2;
    public const int TombstoneFlag = 0x10;
    public const int ReservedBits = 0xE0;
}

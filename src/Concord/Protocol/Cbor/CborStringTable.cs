namespace Concord.Protocol.Cbor;

/// <summary>
/// The rule of the CBOR stringref extension (tags 256 and 25) for which strings enter the table: a string
/// is worth a table slot only if it is longer than a reference to it would be.
/// </summary>
internal static class CborStringTable
{
    public const ulong NamespaceTag = 256;
    public const ulong ReferenceTag = 25;

    public static bool Qualifies(int byteLength, int tableSize) => tableSize switch
    {
        < 24 => byteLength >= 3,
        < 256 => byteLength >= 4,
        < 65536 => byteLength >= 5,
        _ => byteLength >= 7,
    };
}

namespace Concord.Records;

/// <summary>
/// Hands out one string per distinct field name, so that a batch of a thousand changes to records of
/// the same shape allocates each name once. Not thread-safe: one per batch.
/// </summary>
public sealed class FieldNameCache
{
    private const int MaxNames = 1024;
    private const int MaxNameLength = 128;

    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <summary>Creates an empty cache.</summary>
    public FieldNameCache() => _lookup = _names.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The cached string equal to <paramref name="utf8Name"/> (unescaped UTF-8).</summary>
    public string Get(ReadOnlySpan<byte> utf8Name)
    {
        if (utf8Name.Length > MaxNameLength)
        {
            return System.Text.Encoding.UTF8.GetString(utf8Name);
        }

        Span<char> chars = stackalloc char[MaxNameLength];
        int length = System.Text.Encoding.UTF8.GetChars(utf8Name, chars);
        ReadOnlySpan<char> name = chars[..length];
        if (_lookup.TryGetValue(name, out string? cached))
        {
            return cached;
        }

        string created = name.ToString();
        if (_names.Count < MaxNames)
        {
            _names.Add(created, created);
        }

        return created;
    }
}

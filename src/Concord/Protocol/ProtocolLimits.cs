namespace Concord.Protocol;

/// <summary>Size limits a server enforces and publishes in <c>sync.json</c>.</summary>
public sealed record ProtocolLimits
{
    /// <summary>Most changes in one push (413 <c>SYNC:PAYLOAD_TOO_LARGE</c> beyond).</summary>
    public int MaxBatchChanges { get; init; } = 1000;

    /// <summary>Most bytes in one request body (413 <c>SYNC:PAYLOAD_TOO_LARGE</c> beyond).</summary>
    public long MaxBodyBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Most fields one change may write, and one record may hold.</summary>
    public int MaxFieldsPerRecord { get; init; } = 256;

    /// <summary>Deepest nesting of arrays and objects inside one field value (a scalar is depth 0).</summary>
    public int MaxNestingDepth { get; init; } = 16;

    /// <summary>Longest record id, in characters.</summary>
    public int MaxIdLength { get; init; } = 256;

    /// <summary>Longest field name, in characters.</summary>
    public int MaxFieldNameLength { get; init; } = 128;

    /// <summary>Longest op id and client id, in characters.</summary>
    public int MaxOpIdLength { get; init; } = 128;

    /// <summary>Page size of a pull that names none.</summary>
    public int DefaultPullLimit { get; init; } = 1000;

    /// <summary>Largest page a pull may ask for; larger asks are cut to this.</summary>
    public int MaxPullLimit { get; init; } = 5000;

    /// <summary>Most collections one pull may name.</summary>
    public int MaxPullCollections { get; init; } = 64;

    /// <summary>Throws if a limit is out of range; called when options are validated.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchChanges, 1, nameof(MaxBatchChanges));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBodyBytes, 1024, nameof(MaxBodyBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFieldsPerRecord, 1, nameof(MaxFieldsPerRecord));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxNestingDepth, 0, nameof(MaxNestingDepth));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxNestingDepth, 60, nameof(MaxNestingDepth));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxIdLength, 1, nameof(MaxIdLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFieldNameLength, 1, nameof(MaxFieldNameLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOpIdLength, 1, nameof(MaxOpIdLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(DefaultPullLimit, 1, nameof(DefaultPullLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPullLimit, DefaultPullLimit, nameof(MaxPullLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPullCollections, 1, nameof(MaxPullCollections));
    }
}

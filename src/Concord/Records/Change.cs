using Concord.Clock;
using Concord.Crdt;

namespace Concord.Records;

/// <summary>One validated write to one record, as a client made it.</summary>
/// <example><code>
/// var change = new Change("op-1", "todos", "0190f3a2-...", ChangeKind.Patch,
///     new Dictionary&lt;string, RawJsonValue&gt; { ["done"] = RawJsonValue.Parse("true") }, clock.Now());
/// </code></example>
public sealed class Change
{
    private static readonly Dictionary<string, RawJsonValue> NoFields = [];
    private static readonly IReadOnlyDictionary<string, CrdtOperation> NoOperations = new Dictionary<string, CrdtOperation>();

    /// <summary>Creates a change.</summary>
    public Change(string opId, string collection, string id, ChangeKind kind, IReadOnlyDictionary<string, RawJsonValue>? fields, HlcTimestamp hlc, long? baseVersion = null, IReadOnlyDictionary<string, CrdtOperation>? crdt = null)
    {
        ArgumentNullException.ThrowIfNull(opId);
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(id);
        if (hlc.IsEmpty)
        {
            throw new ArgumentException("A change needs a clock reading.", nameof(hlc));
        }

        OpId = opId;
        Collection = collection;
        Id = id;
        Kind = kind;
        FieldMap = kind == ChangeKind.Delete || fields is null ? NoFields : fields as Dictionary<string, RawJsonValue> ?? new Dictionary<string, RawJsonValue>(fields, StringComparer.Ordinal);
        Hlc = hlc;
        BaseVersion = baseVersion;
        Crdt = kind == ChangeKind.Delete ? NoOperations : crdt ?? NoOperations;
    }

    /// <summary>The client-made id that makes retries safe.</summary>
    public string OpId { get; }

    /// <summary>The record's collection.</summary>
    public string Collection { get; }

    /// <summary>The record's id.</summary>
    public string Id { get; }

    /// <summary>What the change does.</summary>
    public ChangeKind Kind { get; }

    /// <summary>The fields written (none for a delete).</summary>
    public IReadOnlyDictionary<string, RawJsonValue> Fields => FieldMap;

    /// <summary>The same fields as a concrete dictionary, which merges enumerate without allocating. Never modified.</summary>
    internal Dictionary<string, RawJsonValue> FieldMap { get; }

    /// <summary>The clock reading of the write.</summary>
    public HlcTimestamp Hlc { get; }

    /// <summary>The record version the client saw when it made the change, if it says.</summary>
    public long? BaseVersion { get; }

    /// <summary>Operations on CRDT fields, by field name (none for a delete).</summary>
    public IReadOnlyDictionary<string, CrdtOperation> Crdt { get; }

    /// <summary>The same change with other fields (used by conflict policies that keep part of a change).</summary>
    public Change WithFields(IReadOnlyDictionary<string, RawJsonValue> fields) => new(OpId, Collection, Id, Kind, fields, Hlc, BaseVersion, Crdt);

    /// <summary>The same change stamped with another clock reading (used by policies that ignore the client's clock).</summary>
    public Change WithHlc(HlcTimestamp hlc) => new(OpId, Collection, Id, Kind, Fields, hlc, BaseVersion, Crdt);
}

using System.Runtime.InteropServices;
using Concord.Clock;
using Concord.Crdt;

namespace Concord.Records;

/// <summary>
/// Everything known about one record: its fields with the clock reading of each, its tombstone,
/// and the watermark of the last put. Merging two states (see <see cref="Merge.LastWriterWinsMerge"/>)
/// is commutative, associative and idempotent.
/// </summary>
/// <remarks>
/// The state is kept normalized: a field whose reading is at or below the tombstone, or below the
/// watermark, has lost and is not kept, and a watermark at or below the tombstone is dropped.
/// The tombstone itself stays after a record is revived, so that a late write older than the
/// delete still loses.
/// </remarks>
public sealed class RecordState
{
    private static readonly IReadOnlyDictionary<string, CrdtValue> NoCrdt = new Dictionary<string, CrdtValue>();

    private readonly Dictionary<string, FieldState> _fields;
    private Dictionary<string, CrdtValue>? _crdt;

    /// <summary>Creates an empty state for a record that has never been written.</summary>
    public RecordState(string collection, string id)
        : this(collection, id, new Dictionary<string, FieldState>(StringComparer.Ordinal), default, default, 0)
    {
    }

    /// <summary>Creates an empty state with room for <paramref name="capacity"/> fields.</summary>
    public RecordState(string collection, string id, int capacity)
        : this(collection, id, new Dictionary<string, FieldState>(capacity, StringComparer.Ordinal), default, default, 0)
    {
    }

    /// <summary>Restores a state, for example from storage. The fields are normalized against the tombstone and watermark.</summary>
    public RecordState(string collection, string id, IEnumerable<KeyValuePair<string, FieldState>> fields, HlcTimestamp tombstone, HlcTimestamp watermark, long version)
        : this(collection, id, new Dictionary<string, FieldState>(fields, StringComparer.Ordinal), tombstone, watermark, version)
    {
    }

    private RecordState(string collection, string id, Dictionary<string, FieldState> fields, HlcTimestamp tombstone, HlcTimestamp watermark, long version, bool normalized = false)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(id);
        Collection = collection;
        Id = id;
        _fields = fields;
        Tombstone = tombstone;
        Watermark = watermark;
        Version = version;
        if (!normalized)
        {
            Normalize();
        }
    }

    /// <summary>The record's collection.</summary>
    public string Collection { get; }

    /// <summary>The record's id.</summary>
    public string Id { get; }

    /// <summary>The server version of this state (0 before the server has seen it).</summary>
    public long Version { get; set; }

    /// <summary>The reading of the latest delete, or <c>default</c> if never deleted.</summary>
    public HlcTimestamp Tombstone { get; private set; }

    /// <summary>The reading of the latest put that still matters, or <c>default</c>.</summary>
    public HlcTimestamp Watermark { get; private set; }

    /// <summary>The live fields. A CRDT field is here too, with its plain value and the reading of its latest operation.</summary>
    public IReadOnlyDictionary<string, FieldState> Fields => _fields;

    /// <summary>The same fields, enumerated without an interface enumerator (every stored record is walked several times).</summary>
    internal Dictionary<string, FieldState> FieldDictionary => _fields;

    /// <summary>The merge state of each live CRDT field.</summary>
    public IReadOnlyDictionary<string, CrdtValue> Crdt => _crdt ?? NoCrdt;

    /// <summary>
    /// True when the latest delete is at or after every write that survives: no field and no put is newer.
    /// </summary>
    public bool IsDeleted => !Tombstone.IsEmpty && _fields.Count == 0 && Watermark.IsEmpty;

    /// <summary>The tombstone's reading while the record is deleted; null while it is alive.</summary>
    public HlcTimestamp? DeletedAt => IsDeleted ? Tombstone : null;

    /// <summary>The greatest reading anywhere in this state.</summary>
    public HlcTimestamp MaxHlc
    {
        get
        {
            HlcTimestamp max = HlcTimestamp.Max(Tombstone, Watermark);
            foreach (FieldState value in _fields.Values)
            {
                max = HlcTimestamp.Max(max, value.Hlc);
            }

            return max;
        }
    }

    /// <summary>A deep copy.</summary>
    public RecordState Clone()
    {
        var copy = new RecordState(Collection, Id, new Dictionary<string, FieldState>(_fields, StringComparer.Ordinal), Tombstone, Watermark, Version, normalized: true);
        if (_crdt is not null)
        {
            copy._crdt = _crdt.ToDictionary(c => c.Key, c => c.Value.Clone(), StringComparer.Ordinal);
        }

        return copy;
    }

    /// <summary>Restores a CRDT field's merge state, for example from storage; the field must be live.</summary>
    /// <exception cref="InvalidOperationException">The field is not live.</exception>
    public void RestoreCrdt(string name, CrdtValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!_fields.ContainsKey(name))
        {
            throw new InvalidOperationException($"Field '{name}' is not live.");
        }

        (_crdt ??= new Dictionary<string, CrdtValue>(StringComparer.Ordinal))[name] = value;
    }

    /// <summary>Whether every live field carries the same clock reading and version, as after a put, and which.</summary>
    /// <example><code>
    /// if (state.TryGetSharedReading(out HlcTimestamp hlc, out long version))
    /// {
    ///     // one reading stands for every field
    /// }
    /// </code></example>
    public bool TryGetSharedReading(out HlcTimestamp hlc, out long version)
    {
        hlc = default;
        version = 0;
        bool first = true;
        foreach (FieldState field in _fields.Values)
        {
            if (first)
            {
                (hlc, version, first) = (field.Hlc, field.Version, false);
            }
            else if (field.Version != version || field.Hlc != hlc)
            {
                return false;
            }
        }

        return !first;
    }

    /// <summary>Gives the record <paramref name="version"/>, and every field changed since the last commit that version too.</summary>
    public void CommitVersion(long version)
    {
        Version = version;
        foreach ((string name, FieldState field) in _fields)
        {
            if (field.Version == 0)
            {
                _fields[name] = field with { Version = version };
            }
        }
    }

    /// <summary>Whether two states hold the same fields, readings, tombstone and watermark (the version is not compared).</summary>
    public bool SameContentAs(RecordState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Tombstone != other.Tombstone || Watermark != other.Watermark || _fields.Count != other._fields.Count || Crdt.Count != other.Crdt.Count)
        {
            return false;
        }

        foreach ((string name, FieldState field) in _fields)
        {
            if (!other._fields.TryGetValue(name, out FieldState theirs) || theirs.Value != field.Value || theirs.Hlc != field.Hlc)
            {
                return false;
            }
        }

        foreach ((string name, CrdtValue value) in Crdt)
        {
            if (!other.Crdt.TryGetValue(name, out CrdtValue? theirs) || !theirs.SameAs(value))
            {
                return false;
            }
        }

        return true;
    }

    internal void RaiseTombstone(HlcTimestamp hlc)
    {
        if (hlc > Tombstone)
        {
            Tombstone = hlc;
            Normalize();
        }
    }

    internal void RaiseWatermark(HlcTimestamp hlc)
    {
        if (hlc > Watermark)
        {
            Watermark = hlc;
            Normalize();
        }
    }

    /// <summary>Offers a field write; it wins if its reading is newer than what the field and the record already have.</summary>
    internal bool OfferField(string name, FieldState candidate)
    {
        if (!Admits(candidate.Hlc))
        {
            return false;
        }

        // One hash lookup for both the comparison and the write: a merge offers every field of a change.
        ref FieldState slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_fields, name, out bool exists);
        if (exists && !Wins(candidate, slot))
        {
            return false;
        }

        slot = candidate;

        // A plain write that wins over a CRDT field turns it back into a plain field.
        _crdt?.Remove(name);
        return true;
    }

    /// <summary>
    /// Applies a CRDT operation made at <paramref name="hlc"/>: every operation counts whatever its reading,
    /// unless a delete or put at or after it has already removed the field.
    /// </summary>
    internal bool TryApplyCrdt(string name, CrdtOperation operation, string opId, HlcTimestamp hlc, out string? error)
    {
        error = null;
        if (!Admits(hlc))
        {
            return true;
        }

        CrdtValue? value = Crdt.GetValueOrDefault(name);
        if (value is null || value.Kind != operation.Kind)
        {
            value = CrdtValue.Create(operation.Kind, hlc.NodeId);
        }

        if (!value.TryApply(operation, opId, hlc.NodeId, out error))
        {
            return false;
        }

        (_crdt ??= new Dictionary<string, CrdtValue>(StringComparer.Ordinal))[name] = value;
        HlcTimestamp latest = _fields.TryGetValue(name, out FieldState current) ? HlcTimestamp.Max(current.Hlc, hlc) : hlc;
        _fields[name] = new FieldState(value.PlainValue, latest);
        return true;
    }

    /// <summary>Merges another replica's state of a CRDT field (state-based join).</summary>
    internal void MergeCrdt(string name, CrdtValue other, HlcTimestamp hlc)
    {
        if (!Admits(hlc))
        {
            return;
        }

        CrdtValue? value = Crdt.GetValueOrDefault(name);
        if (value is null || value.Kind != other.Kind)
        {
            value = other.Clone();
        }
        else
        {
            value.Merge(other);
        }

        (_crdt ??= new Dictionary<string, CrdtValue>(StringComparer.Ordinal))[name] = value;
        HlcTimestamp latest = _fields.TryGetValue(name, out FieldState current) ? HlcTimestamp.Max(current.Hlc, hlc) : hlc;
        _fields[name] = new FieldState(value.PlainValue, latest);
    }

    /// <summary>Whether a write made at <paramref name="hlc"/> takes effect, rather than being removed already by a later delete or put.</summary>
    /// <example><code>bool counts = state.Admits(change.Hlc);</code></example>
    public bool Admits(HlcTimestamp hlc) =>
        (Tombstone.IsEmpty || hlc > Tombstone) && (Watermark.IsEmpty || hlc >= Watermark);

    /// <summary>
    /// Newer reading wins. Two different writes never share a reading unless a client misbehaves;
    /// comparing the values then keeps the merge deterministic anyway.
    /// </summary>
    private static bool Wins(FieldState candidate, FieldState current)
    {
        int byClock = candidate.Hlc.CompareTo(current.Hlc);
        return byClock > 0 || (byClock == 0 && candidate.Value.Utf8.Span.SequenceCompareTo(current.Value.Utf8.Span) > 0);
    }

    private void Normalize()
    {
        if (!Watermark.IsEmpty && !Tombstone.IsEmpty && Watermark <= Tombstone)
        {
            Watermark = default;
        }

        if (_fields.Count == 0 || (Tombstone.IsEmpty && Watermark.IsEmpty))
        {
            return;
        }

        // Removing while enumerating is allowed for Dictionary since .NET Core 3.0, and spares a list of losers.
        foreach ((string name, FieldState field) in _fields)
        {
            if (!Admits(field.Hlc))
            {
                _fields.Remove(name);
                _crdt?.Remove(name);
            }
        }
    }
}

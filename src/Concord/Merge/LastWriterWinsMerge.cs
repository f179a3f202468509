using Concord.Crdt;
using Concord.Records;

namespace Concord.Merge;

/// <summary>
/// Field-level last-writer-wins merge with delete-wins tombstones and put watermarks,
/// the default conflict rule of DESIGN.md.
/// </summary>
/// <example><code>
/// var state = new RecordState("todos", id);
/// LastWriterWinsMerge.Apply(state, change); // state now holds the merged result
/// </code></example>
public static class LastWriterWinsMerge
{
    /// <summary>Merges one change into <paramref name="state"/> in place.</summary>
    /// <exception cref="InvalidOperationException">A CRDT operation of the change cannot apply; use <see cref="TryApply"/> to be told instead.</exception>
    public static void Apply(RecordState state, Change change)
    {
        if (!TryApply(state, change, out string? error))
        {
            throw new InvalidOperationException(error);
        }
    }

    /// <summary>
    /// Merges one change into <paramref name="state"/> in place. Plain fields merge by last writer wins;
    /// CRDT operations apply by their own rules.
    /// </summary>
    /// <returns>False when a CRDT operation cannot apply; <paramref name="state"/> may then hold part of the change, so callers that must not see that merge into a copy.</returns>
    public static bool TryApply(RecordState state, Change change, out string? error)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(change);
        error = null;
        switch (change.Kind)
        {
            case ChangeKind.Delete:
                state.RaiseTombstone(change.Hlc);
                return true;
            case ChangeKind.Put:
                state.RaiseWatermark(change.Hlc);
                break;
        }

        foreach ((string name, RawJsonValue value) in change.FieldMap)
        {
            state.OfferField(name, new FieldState(value, change.Hlc));
        }

        foreach ((string name, CrdtOperation operation) in change.Crdt)
        {
            if (!state.TryApplyCrdt(name, operation, change.OpId, change.Hlc, out error))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Merges <paramref name="other"/> into <paramref name="into"/> in place.</summary>
    public static void Merge(RecordState into, RecordState other)
    {
        ArgumentNullException.ThrowIfNull(into);
        ArgumentNullException.ThrowIfNull(other);
        into.RaiseTombstone(other.Tombstone);
        into.RaiseWatermark(other.Watermark);
        foreach ((string name, FieldState field) in other.Fields)
        {
            if (other.Crdt.TryGetValue(name, out CrdtValue? value))
            {
                into.MergeCrdt(name, value, field.Hlc);
            }
            else
            {
                into.OfferField(name, field);
            }
        }
    }
}

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
    public static void Apply(RecordState state, Change change)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(change);
        switch (change.Kind)
        {
            case ChangeKind.Delete:
                state.RaiseTombstone(change.Hlc);
                return;
            case ChangeKind.Put:
                state.RaiseWatermark(change.Hlc);
                break;
        }

        foreach ((string name, RawJsonValue value) in change.Fields)
        {
            state.OfferField(name, new FieldState(value, change.Hlc));
        }
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
            into.OfferField(name, field);
        }
    }
}

using Concord.Merge;
using Concord.Records;

namespace Concord.Server.Merging;

/// <summary>The default policy: field-level last-writer-wins; never rejects.</summary>
public sealed class LastWriterWinsMerger : IChangeMerger
{
    /// <inheritdoc />
    public MergeDecision Merge(RecordState? current, Change change)
    {
        ArgumentNullException.ThrowIfNull(change);
        current ??= new RecordState(change.Collection, change.Id, change.Fields.Count);
        LastWriterWinsMerge.Apply(current, change);
        return MergeDecision.Accept(current);
    }
}

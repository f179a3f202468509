using Concord.Clock;
using Concord.Records;

namespace Concord.Server.Merging;

/// <summary>The default policy for every collection: field-level last-writer-wins.</summary>
public sealed class LastWriterWinsMerger : IChangeMerger
{
    private readonly ConflictContext _context = new(new HybridLogicalClock("server"));

    /// <inheritdoc />
    public MergeDecision Merge(RecordState? current, Change change) => ConflictPolicy.LastWriterWins.Merge(current, change, _context);
}

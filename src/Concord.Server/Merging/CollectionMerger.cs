using Concord.Clock;
using Concord.Records;
using Microsoft.Extensions.Options;

namespace Concord.Server.Merging;

/// <summary>Routes each change to its collection's conflict policy.</summary>
internal sealed class CollectionMerger(IOptions<ConcordServerOptions> options, HybridLogicalClock clock) : IChangeMerger
{
    private readonly IReadOnlyDictionary<string, CollectionOptions> _collections = options.Value.Collections;
    private readonly ConflictContext _context = new(clock);

    public MergeDecision Merge(RecordState? current, Change change)
    {
        ConflictPolicy policy = _collections.TryGetValue(change.Collection, out CollectionOptions? collection) ? collection.Policy : ConflictPolicy.LastWriterWins;
        return policy.Merge(current, change, _context);
    }
}

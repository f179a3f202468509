using Concord.Clock;
using Concord.Merge;
using Concord.Records;

namespace Concord.Server.Merging;

/// <summary>What a conflict policy may consult besides the record and the change.</summary>
public sealed class ConflictContext
{
    private readonly HybridLogicalClock _clock;

    internal ConflictContext(HybridLogicalClock clock) => _clock = clock;

    /// <summary>A fresh reading of the server's clock: later than every reading the server has seen.</summary>
    public HlcTimestamp ServerTime() => _clock.Now();

    /// <summary>The default merge, for resolvers that adjust the change and then merge as usual.</summary>
    /// <param name="current">The record (a copy the resolver may change), or null if it does not exist.</param>
    /// <param name="change">The change to merge.</param>
    public MergeDecision LastWriterWins(RecordState? current, Change change)
    {
        ArgumentNullException.ThrowIfNull(change);
        current ??= new RecordState(change.Collection, change.Id, change.Fields.Count);
        return LastWriterWinsMerge.TryApply(current, change, out string? error)
            ? MergeDecision.Accept(current)
            : MergeDecision.Reject(Errors.SyncError.InvalidChange(error ?? "A CRDT operation does not apply.", new Dictionary<string, object> { ["field"] = "crdt" }));
    }
}

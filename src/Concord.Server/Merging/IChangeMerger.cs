using Concord.Records;

namespace Concord.Server.Merging;

/// <summary>Decides a record's new state when a change arrives. Stores call it inside their write transaction.</summary>
public interface IChangeMerger
{
    /// <summary>Merges <paramref name="change"/> into <paramref name="current"/>.</summary>
    /// <param name="current">The record as stored, or null if it does not exist yet. The merger may change it in place when it accepts, and must leave it alone when it rejects.</param>
    /// <param name="change">A validated change.</param>
    MergeDecision Merge(RecordState? current, Change change);
}

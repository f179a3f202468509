using Concord.Errors;
using Concord.Records;

namespace Concord.Server.Merging;

/// <summary>A merger's answer for one change: the record's new state, or why the change is refused.</summary>
public readonly struct MergeDecision
{
    private MergeDecision(RecordState? merged, SyncError? rejection, SyncError? conflict = null)
    {
        Merged = merged;
        Rejection = rejection;
        Conflict = conflict;
    }

    /// <summary>The new state, when accepted.</summary>
    public RecordState? Merged { get; }

    /// <summary>The reason, when rejected.</summary>
    public SyncError? Rejection { get; }

    /// <summary>When accepted in part: which fields of the change lost, and why (<c>SYNC:CONFLICT</c>).</summary>
    public SyncError? Conflict { get; }

    /// <summary>Accepts the change with <paramref name="merged"/> as the record's new state.</summary>
    public static MergeDecision Accept(RecordState merged) => new(merged ?? throw new ArgumentNullException(nameof(merged)), null);

    /// <summary>Accepts part of the change; <paramref name="conflict"/> says which fields lost.</summary>
    public static MergeDecision AcceptPartly(RecordState merged, SyncError conflict) =>
        new(merged ?? throw new ArgumentNullException(nameof(merged)), null, conflict ?? throw new ArgumentNullException(nameof(conflict)));

    /// <summary>Refuses the change; the record stays as it was.</summary>
    public static MergeDecision Reject(SyncError reason) => new(null, reason ?? throw new ArgumentNullException(nameof(reason)));
}

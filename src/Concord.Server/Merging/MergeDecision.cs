using Concord.Errors;
using Concord.Records;

namespace Concord.Server.Merging;

/// <summary>A merger's answer for one change: the record's new state, or why the change is refused.</summary>
public readonly struct MergeDecision
{
    private MergeDecision(RecordState? merged, SyncError? rejection)
    {
        Merged = merged;
        Rejection = rejection;
    }

    /// <summary>The new state, when accepted.</summary>
    public RecordState? Merged { get; }

    /// <summary>The reason, when rejected.</summary>
    public SyncError? Rejection { get; }

    /// <summary>Accepts the change with <paramref name="merged"/> as the record's new state.</summary>
    public static MergeDecision Accept(RecordState merged) => new(merged ?? throw new ArgumentNullException(nameof(merged)), null);

    /// <summary>Refuses the change; the record stays as it was.</summary>
    public static MergeDecision Reject(SyncError reason) => new(null, reason ?? throw new ArgumentNullException(nameof(reason)));
}

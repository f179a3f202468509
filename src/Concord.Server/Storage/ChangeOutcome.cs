using Concord.Errors;
using Concord.Protocol;

namespace Concord.Server.Storage;

/// <summary>What a store did with one change of a batch.</summary>
public readonly record struct ChangeOutcome
{
    private ChangeOutcome(string status, long version, SyncError? error)
    {
        Status = status;
        Version = version;
        Error = error;
    }

    /// <summary>One of <see cref="ChangeStatus"/>.</summary>
    public string Status { get; }

    /// <summary>The version the change was applied at; 0 when rejected.</summary>
    public long Version { get; }

    /// <summary>Why the change was rejected, or (applied) which of its fields lost.</summary>
    public SyncError? Error { get; }

    /// <summary>Applied now at <paramref name="version"/>; <paramref name="conflict"/> lists fields that lost to newer server state, if any.</summary>
    public static ChangeOutcome Applied(long version, SyncError? conflict = null) => new(ChangeStatus.Applied, version, conflict);

    /// <summary>Applied before, at <paramref name="version"/>.</summary>
    public static ChangeOutcome Duplicate(long version) => new(ChangeStatus.Duplicate, version, null);

    /// <summary>Refused for <paramref name="error"/>.</summary>
    public static ChangeOutcome Rejected(SyncError error) => new(ChangeStatus.Rejected, 0, error ?? throw new ArgumentNullException(nameof(error)));
}

using Concord.Errors;

namespace Concord.Client;

/// <summary>Raised when <see cref="ConcordClient.State"/> changes.</summary>
public sealed class SyncStateChangedEventArgs(SyncState previous, SyncState current, SyncError? error) : EventArgs
{
    /// <summary>The state before.</summary>
    public SyncState Previous { get; } = previous;

    /// <summary>The state now.</summary>
    public SyncState Current { get; } = current;

    /// <summary>Why the state is <see cref="SyncState.Error"/> or <see cref="SyncState.Offline"/>, when known.</summary>
    public SyncError? Error { get; } = error;
}

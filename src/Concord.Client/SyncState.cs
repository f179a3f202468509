namespace Concord.Client;

/// <summary>What the sync loop is doing.</summary>
public enum SyncState
{
    /// <summary>Not syncing: the loop is not started.</summary>
    Idle,

    /// <summary>Reaching the server.</summary>
    Connecting,

    /// <summary>Sending the outbox.</summary>
    Pushing,

    /// <summary>Receiving changes.</summary>
    Pulling,

    /// <summary>Up to date with the server as of the last round.</summary>
    Synced,

    /// <summary>The server cannot be reached; retrying with backoff.</summary>
    Offline,

    /// <summary>The server answered with an error; retrying with backoff.</summary>
    Error,
}

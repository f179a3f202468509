namespace Concord.Client;

/// <summary>How the client hears from the server right now.</summary>
public enum SyncConnection
{
    /// <summary>Not connected: not started, or reconnecting.</summary>
    None,

    /// <summary>A WebSocket: pushes, pulls, records and pokes all travel over it.</summary>
    WebSocket,

    /// <summary>HTTP requests, with server-sent events for pokes.</summary>
    ServerSentEvents,

    /// <summary>HTTP requests only, polling every <see cref="ConcordClientOptions.PollInterval"/>.</summary>
    Polling,
}

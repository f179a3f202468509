namespace Concord.Client;

/// <summary>How a client reaches the server.</summary>
public enum SyncTransportMode
{
    /// <summary>
    /// A WebSocket (<c>{base}/ws</c>) when the network allows one; otherwise HTTP with server-sent events for pokes,
    /// retrying the WebSocket in the background. The default.
    /// </summary>
    Automatic,

    /// <summary>Only a WebSocket; while none can be opened the client is offline.</summary>
    WebSocket,

    /// <summary>Only HTTP: push and pull requests, with server-sent events (<c>{base}/events</c>) for pokes.</summary>
    Http,
}

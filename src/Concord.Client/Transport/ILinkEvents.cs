namespace Concord.Client.Transport;

/// <summary>What the link to the server tells the sync loop.</summary>
internal interface ILinkEvents
{
    /// <summary>A connection is up: run a whole round. <paramref name="realtime"/> is false while the client must poll.</summary>
    void Connected(bool realtime);

    /// <summary>The server's version moved past what this replica has: pull.</summary>
    void Poked();

    /// <summary>Records arrived on the WebSocket (<see cref="ServerLink.TryTakeChanges"/>).</summary>
    void ChangesArrived();

    /// <summary>The connection is gone; the link reconnects on its own.</summary>
    void Lost();
}

namespace Concord.Crdt.Text;

/// <summary>
/// A received run waiting to be integrated: either its replica's earlier clocks or one of its origins
/// has not arrived yet. Replica fields are indexes in the document's replica table; -1 means no origin.
/// </summary>
internal struct PendingItem
{
    public int Client;
    public int Clock;
    public int Length;
    public int OriginLeftClient;
    public int OriginLeftClock;
    public int OriginRightClient;
    public int OriginRightClock;

    /// <summary>The characters, shared with the rest of the update they came in; null for a tombstone.</summary>
    public char[]? Content;

    public int ContentOffset;

    public readonly int EndClock => Clock + Length;
}

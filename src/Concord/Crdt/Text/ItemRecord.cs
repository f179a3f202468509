namespace Concord.Crdt.Text;

/// <summary>One run of an update. Replica fields index the update's replica table; -1 means no origin.</summary>
internal struct ItemRecord
{
    public int Replica;
    public int Clock;
    public int Length;
    public int OriginLeftReplica;
    public int OriginLeftClock;
    public int OriginRightReplica;
    public int OriginRightClock;

    /// <summary>Offset in <see cref="TextUpdate.Content"/>, or -1 for a tombstone.</summary>
    public int ContentOffset;
}

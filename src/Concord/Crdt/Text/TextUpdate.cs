namespace Concord.Crdt.Text;

/// <summary>An update decoded into plain arrays and fully validated, not yet applied to any document.</summary>
internal sealed class TextUpdate
{
    public TextUpdate(string[] replicas, ItemRecord[] items, char[] content, DeleteRecord[] deletes)
    {
        Replicas = replicas;
        Items = items;
        Content = content;
        Deletes = deletes;
    }

    /// <summary>Replica ids; records refer to them by index.</summary>
    public string[] Replicas { get; }

    public ItemRecord[] Items { get; }

    /// <summary>Content of all items that are not tombstones, in item order.</summary>
    public char[] Content { get; }

    public DeleteRecord[] Deletes { get; }
}

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

/// <summary>A deleted range of clocks of one replica.</summary>
internal struct DeleteRecord
{
    public int Replica;
    public int Clock;
    public int Length;
}

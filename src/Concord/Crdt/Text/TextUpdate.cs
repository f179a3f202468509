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

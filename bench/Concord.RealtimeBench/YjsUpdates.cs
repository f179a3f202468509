namespace Concord.RealtimeBench;

/// <summary>
/// Real Yjs updates made by node (<c>yjs-updates.mjs</c>): for write i, the y-websocket message the writer sends and
/// the one the server broadcasts for it, byte for byte.
/// </summary>
internal sealed class YjsUpdates
{
    private YjsUpdates(byte[][] sent, byte[][] broadcast)
    {
        Sent = sent;
        Broadcast = broadcast;
    }

    public byte[][] Sent { get; }

    public byte[][] Broadcast { get; }

    public int Count => Sent.Length;

    public static YjsUpdates Make(NodePackages node, int count)
    {
        string path = Path.Combine(node.Folder, $"updates-{count}.bin");
        node.RunScript("yjs-updates.mjs", path, count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var reader = new BinaryReader(File.OpenRead(path));
        int written = reader.ReadInt32();
        var sent = new byte[written][];
        var broadcast = new byte[written][];
        for (int i = 0; i < written; i++)
        {
            sent[i] = reader.ReadBytes(reader.ReadInt32());
            broadcast[i] = reader.ReadBytes(reader.ReadInt32());
        }

        return new YjsUpdates(sent, broadcast);
    }
}

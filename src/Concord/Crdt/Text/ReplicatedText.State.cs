namespace Concord.Crdt.Text;

// Whole-document state: encoding, loading, and folding updates together.
public sealed partial class ReplicatedText
{
    /// <summary>
    /// Encodes the whole document: every run with its origins, deleted runs as lengths only, the visible
    /// content, and whatever still waits for missing dependencies.
    /// </summary>
    /// <remarks>
    /// The result is an update like any other: <see cref="ApplyUpdate"/> merges it into any replica, and
    /// <see cref="Decode"/> loads it into a new one. Large states are compressed with DEFLATE.
    /// </remarks>
    /// <example><code>byte[] state = text.EncodeState(); var copy = ReplicatedText.Decode(state, "replica-2");</code></example>
    public byte[] EncodeState()
    {
        _writer.Reset(_clientNames);
        var order = new List<int>();
        var waiting = new List<PendingItem>();
        for (int client = 0; client < _clients.Count; client++)
        {
            order.Clear();
            _clients[client].CopyTo(order);
            foreach (int i in order)
            {
                ref TextItem it = ref _items[i];
                ReadOnlySpan<char> content = it.Deleted ? default : _chars.AsSpan(it.ContentStart, it.Length);
                _writer.AddItem(it.Client, it.Clock, it.Length, it.OriginLeftClient, it.OriginLeftClock,
                    it.OriginRightClient, it.OriginRightClock, content, it.Deleted);
            }

            PendingQueue? queue = _queues[client];
            if (queue is null)
            {
                continue;
            }

            // Waiting runs, without the parts already written (they may repeat or overlap).
            waiting.Clear();
            queue.CopyItemsTo(waiting);
            int written = _clients[client].NextClock;
            foreach (PendingItem run in waiting)
            {
                if (run.EndClock <= written)
                {
                    continue;
                }

                int offset = Math.Max(0, written - run.Clock);
                int clock = run.Clock + offset;
                bool trimmed = offset > 0;
                ReadOnlySpan<char> content = run.Content is null ? default : run.Content.AsSpan(run.ContentOffset + offset, run.Length - offset);
                _writer.AddItem(client, clock, run.Length - offset,
                    trimmed ? client : run.OriginLeftClient, trimmed ? clock - 1 : run.OriginLeftClock,
                    run.OriginRightClient, run.OriginRightClock, content, run.Content is null);
                written = run.EndClock;
            }

            foreach ((int start, int end) in queue.Deletes)
            {
                _writer.AddDelete(client, start, end - start);
            }
        }

        return _writer.ToArray();
    }

    /// <summary>Loads a state made by <see cref="EncodeState"/> (or any update) into a new replica.</summary>
    /// <param name="state">The encoded state.</param>
    /// <param name="replicaId">The id of the replica that will edit the loaded text.</param>
    /// <exception cref="FormatException"><paramref name="state"/> is not a valid state.</exception>
    /// <exception cref="ArgumentException"><paramref name="replicaId"/> is not a valid replica id.</exception>
    public static ReplicatedText Decode(ReadOnlySpan<byte> state, string replicaId)
    {
        var text = new ReplicatedText(replicaId);
        text.ApplyUpdate(state);
        return text;
    }

    /// <summary>
    /// Folds updates into one that has the same effect as applying each of them, in any order. A server
    /// uses it to send one delta instead of many; the updates need not be complete or in order.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="updates"/> or one of them is null.</exception>
    /// <exception cref="FormatException">One of the updates is malformed.</exception>
    /// <example><code>byte[] delta = ReplicatedText.MergeUpdates(updatesSinceCursor);</code></example>
    public static byte[] MergeUpdates(IEnumerable<byte[]> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);

        // A scratch replica that never edits: its state holds exactly the union of the updates,
        // with what cannot be integrated yet carried as pending runs and deletions.
        var scratch = new ReplicatedText("merge");
        foreach (byte[] update in updates)
        {
            ArgumentNullException.ThrowIfNull(update, nameof(updates));
            scratch.ApplyUpdate(update);
        }

        return scratch.EncodeState();
    }
}

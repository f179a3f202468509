namespace Concord.Crdt.Text;

// Applying received updates: runs wait in per-replica queues until their replica's earlier clocks and
// both origins are present, then are integrated with the YATA rule; deletions apply to the characters
// present and wait for the rest.
public sealed partial class ReplicatedText
{
    private readonly List<PendingQueue?> _queues = [];
    private readonly List<int> _pendingClients = [];
    private HashSet<int>? _scanned;
    private HashSet<int>? _conflicting;
    private Stack<int>? _work;
    private List<int>? _touched;

    // Replicas whose next run waits for a character of another replica, keyed by that replica and
    // ordered by the clock they wait for.
    private Dictionary<int, PriorityQueue<int, int>>? _waiters;

    /// <summary>
    /// Merges an update or a full state from any replica. Applying the same update again changes nothing;
    /// an update whose dependencies are missing waits until they arrive.
    /// </summary>
    /// <exception cref="FormatException"><paramref name="update"/> is not a valid update; the text is unchanged.</exception>
    /// <exception cref="InvalidOperationException">
    /// More than <see cref="MaxPending"/> runs and deletions would wait for missing dependencies; the text is unchanged.
    /// </exception>
    public void ApplyUpdate(ReadOnlySpan<byte> update)
    {
        TextUpdate? decoded = TextUpdateReader.TryRead(update, out string? error);
        if (decoded is null)
        {
            throw new FormatException(error);
        }

        if (!TryApply(decoded, out error))
        {
            throw new InvalidOperationException(error);
        }
    }

    /// <summary>Merges an update like <see cref="ApplyUpdate"/>, but reports bad input instead of throwing.</summary>
    /// <returns>
    /// False, with the reason in <paramref name="error"/>, when the update is malformed or would leave more than
    /// <see cref="MaxPending"/> runs and deletions waiting; the text is then unchanged.
    /// </returns>
    public bool TryApplyUpdate(ReadOnlySpan<byte> update, out string? error)
    {
        TextUpdate? decoded = TextUpdateReader.TryRead(update, out error);
        return decoded is not null && TryApply(decoded, out error);
    }

    /// <summary>
    /// Updates that arrive before their replica's earlier ones wait; a document refuses an update that would leave
    /// more than this many runs and deletions waiting, so that no sender can make it hold, and look through, without
    /// bound. What continues a replica's sequence is always taken: it may be what the others wait for.
    /// </summary>
    public const int MaxPending = 100_000;

    private bool TryApply(TextUpdate update, out string? error)
    {
        int waiting = 0;
        foreach (int client in _pendingClients)
        {
            waiting += _queues[client]?.Count ?? 0;
        }

        // Runs and deletions past their replica's next clock cannot be applied now, whatever else the update holds.
        foreach (ItemRecord record in update.Items)
        {
            waiting += record.Clock > NextClockOf(update.Replicas[record.Replica]) ? 1 : 0;
        }

        foreach (DeleteRecord range in update.Deletes)
        {
            waiting += range.Clock + range.Length > NextClockOf(update.Replicas[range.Replica]) ? 1 : 0;
        }

        if (waiting > MaxPending)
        {
            error = $"More than {MaxPending} runs and deletions would wait for updates that have not arrived.";
            return false;
        }

        Apply(update);
        error = null;
        return true;
    }

    /// <summary>The next clock of a replica, without adding it to the document's table when it is new.</summary>
    private int NextClockOf(string replica) => _clientIds.TryGetValue(replica, out int client) ? _clients[client].NextClock : 0;

    private void Apply(TextUpdate update)
    {
        int[] clients = new int[update.Replicas.Length];
        for (int k = 0; k < clients.Length; k++)
        {
            clients[k] = ClientOf(update.Replicas[k]);
        }

        bool changed = false;
        if (update.Items.Length > 0)
        {
            List<int> touched = _touched ??= [];
            touched.Clear();
            foreach (ItemRecord record in update.Items)
            {
                int client = clients[record.Replica];
                if (record.Clock + record.Length <= _clients[client].NextClock)
                {
                    continue; // already integrated
                }

                if (touched.Count == 0 || touched[^1] != client)
                {
                    touched.Add(client);
                }

                Queue(client).Add(new PendingItem
                {
                    Client = client,
                    Clock = record.Clock,
                    Length = record.Length,
                    OriginLeftClient = record.OriginLeftReplica < 0 ? -1 : clients[record.OriginLeftReplica],
                    OriginLeftClock = record.OriginLeftClock,
                    OriginRightClient = record.OriginRightReplica < 0 ? -1 : clients[record.OriginRightReplica],
                    OriginRightClock = record.OriginRightClock,
                    Content = record.ContentOffset < 0 ? null : update.Content,
                    ContentOffset = record.ContentOffset,
                });
            }

            changed = IntegrateQueued(touched);
        }

        foreach (DeleteRecord range in update.Deletes)
        {
            changed |= Delete(clients[range.Replica], range.Clock, range.Clock + range.Length);
        }

        // A tombstone also deletes: the same characters may already be here, or arrive from another
        // update, with their content.
        foreach (ItemRecord record in update.Items)
        {
            if (record.ContentOffset < 0)
            {
                changed |= Delete(clients[record.Replica], record.Clock, record.Clock + record.Length);
            }
        }

        if (changed)
        {
            ApplyQueuedDeletes();
            _text = null;
            ClearMarkers();
            CompactIfSparse();
        }

        ForgetEmptyQueues();
    }

    /// <summary>Deletes the present part of a range and queues the rest until it arrives.</summary>
    private bool Delete(int client, int start, int end)
    {
        bool changed = false;
        int next = _clients[client].NextClock;
        if (start < next)
        {
            changed = DeleteIntegrated(client, start, Math.Min(end, next));
        }

        if (end > next)
        {
            Queue(client).AddDelete(Math.Max(start, next), end);
        }

        return changed;
    }

    private PendingQueue Queue(int client)
    {
        // A replica has a queue exactly while it is listed in _pendingClients.
        PendingQueue? queue = _queues[client];
        if (queue is null)
        {
            queue = new PendingQueue();
            _queues[client] = queue;
            _pendingClients.Add(client);
        }

        return queue;
    }

    private void ForgetEmptyQueues()
    {
        int kept = 0;
        for (int k = 0; k < _pendingClients.Count; k++)
        {
            int client = _pendingClients[k];
            if (_queues[client] is { IsEmpty: false })
            {
                _pendingClients[kept++] = client;
            }
            else
            {
                _queues[client] = null;
            }
        }

        _pendingClients.RemoveRange(kept, _pendingClients.Count - kept);
    }

    /// <summary>
    /// Integrates every queued run of <paramref name="touched"/> replicas, and of replicas that waited for
    /// what gets integrated, until none is left that can be.
    /// </summary>
    /// <remarks>
    /// A replica whose next run waits for a character of another replica registers for exactly that
    /// character and is woken when it is integrated; a replica waiting for its own earlier clocks is
    /// retried when an update brings it runs. So each run is looked at a bounded number of times, however
    /// long the chains of dependencies between replicas and whatever order the updates come in.
    /// </remarks>
    private bool IntegrateQueued(List<int> touched)
    {
        bool changed = false;
        Stack<int> work = _work ??= new Stack<int>();
        foreach (int client in touched)
        {
            work.Push(client);
        }

        while (work.Count > 0)
        {
            int client = work.Pop();
            PendingQueue? queue = _queues[client];
            if (queue is null)
            {
                continue;
            }

            bool integrated = false;
            while (queue.TryPeek(out PendingItem item))
            {
                int next = _clients[client].NextClock;
                if (item.EndClock <= next)
                {
                    queue.Pop();
                    continue;
                }

                if (item.Clock > next)
                {
                    break; // its replica's earlier runs have not arrived
                }

                if (!IsPresent(item.OriginRightClient, item.OriginRightClock))
                {
                    Wait(client, item.OriginRightClient, item.OriginRightClock);
                    break;
                }

                if (item.Clock == next && !IsPresent(item.OriginLeftClient, item.OriginLeftClock))
                {
                    Wait(client, item.OriginLeftClient, item.OriginLeftClock);
                    break;
                }

                queue.Pop();
                Integrate(item, next - item.Clock);
                integrated = true;
            }

            if (integrated)
            {
                changed = true;
                Wake(client, work);
            }
        }

        return changed;
    }

    private void Wait(int client, int dependency, int clock)
    {
        _waiters ??= [];
        if (!_waiters.TryGetValue(dependency, out PriorityQueue<int, int>? waiting))
        {
            waiting = new PriorityQueue<int, int>();
            _waiters.Add(dependency, waiting);
        }

        waiting.Enqueue(client, clock);
    }

    private void Wake(int client, Stack<int> work)
    {
        if (_waiters is null || !_waiters.TryGetValue(client, out PriorityQueue<int, int>? waiting))
        {
            return;
        }

        int next = _clients[client].NextClock;
        while (waiting.TryPeek(out int waiter, out int clock) && clock < next)
        {
            waiting.Dequeue();
            work.Push(waiter);
        }

        if (waiting.Count == 0)
        {
            _waiters.Remove(client);
        }
    }

    private bool IsPresent(int client, int clock) => client < 0 || clock < _clients[client].NextClock;

    /// <summary>Applies queued deletions to the characters that are now present.</summary>
    private void ApplyQueuedDeletes()
    {
        foreach (int client in _pendingClients)
        {
            PendingQueue? queue = _queues[client];
            if (queue is null || !queue.HasDeletes)
            {
                continue;
            }

            queue.TakeDeletesBefore(_clients[client].NextClock, (start, end) => DeleteIntegrated(client, start, end));
        }
    }

    /// <summary>Deletes the present characters <c>[start, end)</c> of <paramref name="client"/>.</summary>
    private bool DeleteIntegrated(int client, int start, int end)
    {
        bool changed = false;
        ClientItemIndex index = _clients[client];
        int clock = start;
        while (clock < end)
        {
            int item = index.Find(_items, clock);
            if (_items[item].Deleted)
            {
                clock = _items[item].EndClock;
                continue;
            }

            if (_items[item].Clock < clock)
            {
                item = Split(item, clock - _items[item].Clock);
            }

            if (_items[item].EndClock > end)
            {
                Split(item, end - _items[item].Clock);
            }

            ref TextItem it = ref _items[item];
            it.Deleted = true;
            it.ContentStart = -1;
            _length -= it.Length;
            clock = it.EndClock;
            changed = true;
        }

        return changed;
    }

    /// <summary>Finds the item holding a present character and splits it so that the character starts it.</summary>
    private int GetItemCleanStart(int client, int clock)
    {
        int item = _clients[client].Find(_items, clock);
        return _items[item].Clock < clock ? Split(item, clock - _items[item].Clock) : item;
    }

    /// <summary>Finds the item holding a present character and splits it so that the character ends it.</summary>
    private int GetItemCleanEnd(int client, int clock)
    {
        int item = _clients[client].Find(_items, clock);
        if (clock < _items[item].EndClock - 1)
        {
            Split(item, clock - _items[item].Clock + 1);
        }

        return item;
    }

    /// <summary>
    /// Integrates a run whose dependencies are present, skipping its first <paramref name="offset"/>
    /// characters, which are already here.
    /// </summary>
    private void Integrate(in PendingItem run, int offset)
    {
        int client = run.Client;
        int clock = run.Clock + offset;
        int length = run.Length - offset;
        int originLeftClient = run.OriginLeftClient;
        int originLeftClock = run.OriginLeftClock;
        if (offset > 0)
        {
            // The part already present is this part's left origin.
            originLeftClient = client;
            originLeftClock = clock - 1;
        }

        int originRightClient = run.OriginRightClient;
        int originRightClock = run.OriginRightClock;

        // Right first: splitting for the right origin never moves the left origin's item boundary,
        // while the other order could, for runs whose origins sit in one item.
        int right = originRightClient >= 0 ? GetItemCleanStart(originRightClient, originRightClock) : -1;
        int left = originLeftClient >= 0 ? GetItemCleanEnd(originLeftClient, originLeftClock) : -1;
        left = ResolveConflicts(left, right, client, originLeftClient, originLeftClock, originRightClient, originRightClock);

        bool deleted = run.Content is null;
        int contentStart = deleted ? -1 : AppendChars(run.Content.AsSpan(run.ContentOffset + offset, length));
        if (left >= 0 && CanExtend(left, client, clock, originLeftClient, originLeftClock, originRightClient, originRightClock, deleted, contentStart))
        {
            _items[left].Length += length;
        }
        else
        {
            int item = NewItem();
            ref TextItem it = ref _items[item];
            it.Client = client;
            it.Clock = clock;
            it.Length = length;
            it.OriginLeftClient = originLeftClient;
            it.OriginLeftClock = originLeftClock;
            it.OriginRightClient = originRightClient;
            it.OriginRightClock = originRightClock;
            it.ContentStart = contentStart;
            it.Deleted = deleted;
            LinkAfter(left, item);
            _clients[client].Append(item);
        }

        _clients[client].NextClock = clock + length;
        if (!deleted)
        {
            _length += length;
        }
    }

    /// <summary>
    /// The YATA rule as Yjs implements it (<c>Item.integrate</c>): scans the runs between the left origin
    /// and the right origin, which were inserted concurrently, and returns the run to insert after.
    /// </summary>
    /// <remarks>
    /// A run <c>o</c> met in the scan that has the same left origin conflicts directly: the run of the
    /// replica with the smaller id goes first, and when the ids order the other way and the right
    /// origins are the same too, the new run goes before <c>o</c>. A run whose left origin lies inside the
    /// scanned part belongs to a run already passed and follows it; the scan ends at the first run whose
    /// left origin lies before the new run's. Sets hold items rather than characters, which is exact
    /// because the scanned range starts and ends at item boundaries and nothing is split during the scan.
    /// </remarks>
    private int ResolveConflicts(int left, int right, int client, int originLeftClient, int originLeftClock,
        int originRightClient, int originRightClock)
    {
        int o = left >= 0 ? _items[left].Right : _first;
        if (o == right)
        {
            return left;
        }

        HashSet<int> scanned = _scanned ??= [];
        HashSet<int> conflicting = _conflicting ??= [];
        string name = _clientNames[client];
        while (o >= 0 && o != right)
        {
            scanned.Add(o);
            conflicting.Add(o);
            ref TextItem it = ref _items[o];
            if (it.OriginLeftClient == originLeftClient && (originLeftClient < 0 || it.OriginLeftClock == originLeftClock))
            {
                if (string.CompareOrdinal(_clientNames[it.Client], name) < 0)
                {
                    left = o;
                    conflicting.Clear();
                }
                else if (it.OriginRightClient == originRightClient && (originRightClient < 0 || it.OriginRightClock == originRightClock))
                {
                    break;
                }
            }
            else if (it.OriginLeftClient >= 0 && _clients[it.OriginLeftClient].Find(_items, it.OriginLeftClock) is int origin
                && scanned.Contains(origin))
            {
                if (!conflicting.Contains(origin))
                {
                    left = o;
                    conflicting.Clear();
                }
            }
            else
            {
                break;
            }

            o = it.Right;
        }

        scanned.Clear();
        conflicting.Clear();
        return left;
    }
}

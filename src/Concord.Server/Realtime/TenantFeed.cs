using System.Diagnostics;
using Concord.Buffers;
using Concord.Protocol;
using Concord.Protocol.Realtime;
using Concord.Server.Diagnostics;
using Concord.Server.Storage;

namespace Concord.Server.Realtime;

/// <summary>
/// The realtime connections of one tenant and what they have been told. When a commit moves the tenant's version,
/// one reader fetches the records since the last broadcast, encodes them once per kind of connection, and sends
/// them to every connection that was caught up; every other connection gets a poke and pulls.
/// </summary>
/// <remarks>
/// Ordering is what keeps a replica's cursor moving forward. A connection is caught up at a version once a pull
/// with nothing more after it answered up to that version; it is never sent records while a pull of its own is
/// under way, because a pull's snapshot may be older than a broadcast's. Pull answers and broadcasts are queued
/// under this feed's lock, so each connection receives them in the order its position changed.
/// </remarks>
internal sealed class TenantFeed
{
    private readonly object _gate = new();
    private readonly RealtimeContext _context;
    private readonly Action<TenantFeed> _retire;
    private readonly List<RealtimeConnection> _connections = [];
    private Task? _ready;
    private bool _initialized;
    private bool _retired;
    private bool _running;
    private long _published;
    private long _broadcast;
    private long _pendingSince;

    public TenantFeed(string tenant, RealtimeContext context, Action<TenantFeed> retire)
    {
        Tenant = tenant;
        _context = context;
        _retire = retire;
    }

    public string Tenant { get; }

    /// <summary>Reads the tenant's version once, before the first connection joins.</summary>
    public Task ReadyAsync()
    {
        lock (_gate)
        {
            return _ready ??= InitializeAsync();
        }
    }

    /// <summary>The tenant's version moved to <paramref name="version"/> (a commit, on this node or another).</summary>
    public void Publish(long version)
    {
        lock (_gate)
        {
            if (version <= _published)
            {
                return;
            }

            _published = version;
            if (_pendingSince == 0)
            {
                _pendingSince = Stopwatch.GetTimestamp();
            }

            StartBroadcastLocked();
        }
    }

    /// <summary>Adds a connection; a client whose cursor is already at the latest broadcast is caught up at once.</summary>
    /// <returns>False when this feed was retired meanwhile (join the tenant's new one); otherwise the tenant's version.</returns>
    public bool TryJoin(RealtimeConnection connection, long? cursorVersion, out long version)
    {
        lock (_gate)
        {
            version = Math.Max(_published, _broadcast);
            if (_retired)
            {
                return false;
            }

            _connections.Add(connection);
            if (cursorVersion is { } at && at >= _broadcast)
            {
                connection.Position = at;
            }

            return true;
        }
    }

    public void Leave(RealtimeConnection connection)
    {
        lock (_gate)
        {
            _connections.Remove(connection);
            if (_connections.Count > 0 || _retired)
            {
                return;
            }

            _retired = true;
        }

        _retire(this);
    }

    /// <summary>A pull arrived: no records go to the connection until it is answered.</summary>
    public void BeginPull(RealtimeConnection connection)
    {
        lock (_gate)
        {
            connection.PendingPulls++;
            connection.Position = -1;
        }
    }

    /// <summary>
    /// Sends a pull's answer; when it was the last page, the connection is caught up at its version, or poked at
    /// once if broadcasts went past that version meanwhile.
    /// </summary>
    public void CompletePull(RealtimeConnection connection, OutgoingFrame answer, PullRequest request, long? reachedVersion)
    {
        var kicks = new List<RealtimeConnection>(1);
        lock (_gate)
        {
            connection.PendingPulls--;
            if (connection.Queue(answer, out bool kick) && kick)
            {
                kicks.Add(connection);
            }

            if (reachedVersion is { } version && connection.PendingPulls == 0 && !connection.Closed.IsCompleted)
            {
                connection.Deltas = request.Deltas == true;
                connection.Collections = CollectionFilter.From(request.Collections);
                if (version >= _broadcast)
                {
                    connection.Position = version;
                }
                else
                {
                    Poke(connection, _broadcast, kicks);
                }
            }
        }

        Kick(kicks);
    }

    private async Task InitializeAsync()
    {
        StoreMetadata metadata = await _context.Store.ReadMetadataAsync(Tenant).ConfigureAwait(false);
        lock (_gate)
        {
            _broadcast = metadata.CurrentVersion;
            _published = Math.Max(_published, metadata.CurrentVersion);
            _initialized = true;
            StartBroadcastLocked();
        }
    }

    private void StartBroadcastLocked()
    {
        if (_running || !_initialized || _retired || _published <= _broadcast)
        {
            return;
        }

        _running = true;
        _ = Task.Run(BroadcastAsync);
    }

    private async Task BroadcastAsync()
    {
        while (true)
        {
            long from, since;
            bool wantDeltas = false, wantFull = false;
            lock (_gate)
            {
                if (_retired || _broadcast >= _published)
                {
                    _running = false;
                    _pendingSince = 0;
                    return;
                }

                from = _broadcast;
                since = _pendingSince;
                _pendingSince = 0;
                foreach (RealtimeConnection connection in _connections)
                {
                    if (connection.Format != FrameFormat.EventStream && connection.PendingPulls == 0 && connection.Position >= from)
                    {
                        wantDeltas |= connection.Deltas;
                        wantFull |= !connection.Deltas;
                    }
                }
            }

            Broadcast round;
            try
            {
                round = await ReadAsync(from, wantDeltas, wantFull).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                ConcordServerLog.FanOutFailed(_context.Logger, ex);
                var poked = new List<RealtimeConnection>();
                lock (_gate)
                {
                    foreach (RealtimeConnection connection in _connections)
                    {
                        connection.Position = -1;
                        Poke(connection, _published, poked);
                    }

                    _broadcast = Math.Max(_broadcast, _published);
                }

                Kick(poked);
                continue;
            }

            long delivered = 0;
            var kicks = new List<RealtimeConnection>(_connections.Count);
            lock (_gate)
            {
                foreach (RealtimeConnection connection in _connections)
                {
                    delivered += Deliver(connection, from, round, kicks);
                }

                _broadcast = Math.Max(_broadcast, round.Version);
            }

            Kick(kicks);

            _context.Metrics.Delivered(delivered);
            if (since != 0)
            {
                _context.Metrics.FannedOut(since);
            }
        }
    }

    /// <summary>What one connection is sent of a broadcast, queued to be sent once the lock is left; returns the records sent.</summary>
    private long Deliver(RealtimeConnection connection, long from, Broadcast round, List<RealtimeConnection> kicks)
    {
        if (connection.PendingPulls > 0)
        {
            return 0;
        }

        Broadcast.Page? page = connection.Format == FrameFormat.EventStream ? null : connection.Deltas ? round.Deltas : round.Full;
        if (page is null || connection.Position < from)
        {
            // Never caught up, behind, or listening for pokes only.
            if (connection.Position < round.Version)
            {
                Poke(connection, round.Version, kicks);
            }

            return 0;
        }

        long version = page.Records.SnapshotVersion;
        if (connection.Position >= version)
        {
            return 0;
        }

        if (page.Records.HasMore || connection.Backlog >= _context.Options.ChangesBacklog || page.HasReadRuled(connection.Collections, _context))
        {
            connection.Position = -1;
            Poke(connection, version, kicks);
            return 0;
        }

        (OutgoingFrame frame, int count) = page.FrameFor(connection.Format, connection.Collections, _context);
        if (count > 0)
        {
            if (!connection.Queue(frame, out bool kick))
            {
                return 0;
            }

            if (kick)
            {
                kicks.Add(connection);
            }
        }

        connection.Position = version;
        return count;
    }

    private void Poke(RealtimeConnection connection, long version, List<RealtimeConnection> kicks)
    {
        if (connection.QueuePoke(version))
        {
            kicks.Add(connection);
        }

        _context.Metrics.Poked(connection.Transport);
    }

    /// <summary>
    /// Starts the sends that queuing left waiting, outside the lock. Each start runs the send as far as the socket
    /// takes it, so a large broadcast is split over the cores instead of reaching a thousand connections one by one.
    /// </summary>
    private static void Kick(List<RealtimeConnection> kicks)
    {
        const int PerSlice = 64;
        int slices = Math.Min(Environment.ProcessorCount, (kicks.Count + PerSlice - 1) / PerSlice);
        if (slices <= 1)
        {
            foreach (RealtimeConnection connection in kicks)
            {
                connection.Kick();
            }

            return;
        }

        int size = (kicks.Count + slices - 1) / slices;
        Parallel.For(0, slices, slice =>
        {
            for (int i = slice * size; i < Math.Min(kicks.Count, (slice + 1) * size); i++)
            {
                kicks[i].Kick();
            }
        });
    }

    private async Task<Broadcast> ReadAsync(long from, bool wantDeltas, bool wantFull)
    {
        int limit = _context.Options.MaxRecordsPerFrame;
        RecordPage? deltas = wantDeltas ? await _context.Store.ReadPageAsync(Tenant, new PageRequest(from, limit, null, Deltas: from > 0)).ConfigureAwait(false) : null;
        RecordPage? full = wantFull ? await _context.Store.ReadPageAsync(Tenant, new PageRequest(from, limit, null)).ConfigureAwait(false) : null;
        long version;
        lock (_gate)
        {
            version = Math.Min(deltas?.SnapshotVersion ?? long.MaxValue, full?.SnapshotVersion ?? long.MaxValue) is var read && read != long.MaxValue ? read : _published;
        }

        _context.Clock.Observe(HlcMax(deltas, full));
        string hlc = _context.Clock.Now().ToString();
        return new Broadcast(
            version,
            deltas is null ? null : new Broadcast.Page(deltas, Cursor(deltas.SnapshotVersion), hlc),
            full is null ? null : new Broadcast.Page(full, Cursor(full.SnapshotVersion), hlc));
    }

    private string Cursor(long version) => SyncCursor.For(_context.Store.Epoch, Tenant, version).ToString();

    private static Concord.Clock.HlcTimestamp HlcMax(RecordPage? a, RecordPage? b) =>
        Concord.Clock.HlcTimestamp.Max(a?.MaxHlc ?? default, b?.MaxHlc ?? default);

    /// <summary>One broadcast's pages, each encoded at most once per format and set of collections.</summary>
    private sealed record Broadcast(long Version, Broadcast.Page? Deltas, Broadcast.Page? Full)
    {
        public sealed class Page(RecordPage records, string cursor, string hlc)
        {
            private readonly Dictionary<(FrameFormat, string?), (OutgoingFrame, int)> _frames = [];

            public RecordPage Records { get; } = records;

            /// <summary>Whether a record the connection listens to is one a rule decides who may read: it must pull it.</summary>
            public bool HasReadRuled(CollectionFilter? filter, RealtimeContext context)
            {
                IReadOnlySet<string> ruled = context.ReadRuleCollections;
                return ruled.Count != 0 && Records.Records.Any(r => ruled.Contains(r.Collection) && (filter is null || filter.Contains(r.Collection)));
            }

            public (OutgoingFrame Frame, int Count) FrameFor(FrameFormat format, CollectionFilter? filter, RealtimeContext context)
            {
                if (_frames.TryGetValue((format, filter?.Key), out (OutgoingFrame, int) made))
                {
                    return made;
                }

                IReadOnlyList<RecordMessage> records = filter is null ? Records.Records : Records.Records.Where(r => filter.Contains(r.Collection)).ToArray();
                var message = new ChangesMessage { Records = records, Cursor = cursor, Hlc = hlc };
                using var buffer = new PooledBufferWriter(16 * 1024);
                context.Codec(format).Encode(new RealtimeFrame(FrameTypes.Changes, null, message), buffer);
                made = (OutgoingFrame.Shared(buffer.WrittenSpan.ToArray()), records.Count);
                _frames[(format, filter?.Key)] = made;
                return made;
            }
        }
    }
}

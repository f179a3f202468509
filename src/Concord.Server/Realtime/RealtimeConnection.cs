using Concord.Server.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Concord.Server.Realtime;

/// <summary>
/// One open realtime connection and its bounded send queue. A frame is written at once when nothing is being
/// sent, on the caller's thread, so a broadcast reaches a thousand idle connections without a thousand thread
/// hops; otherwise it waits in order. Pokes never wait in the queue: one pending poke carries the newest version.
/// </summary>
internal abstract class RealtimeConnection
{
    private readonly object _sendGate = new();
    private readonly CancellationTokenSource _aborted = new();
    private readonly TaskCompletionSource<CloseReason> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Queue<OutgoingFrame>? _queue;
    private bool _sending;
    private bool _closing;
    private CloseReason? _closeReason;
    private long _pendingPoke = -1;
    private long _sendStarted;
    private long _lastSent;
    private int _queued;
    private TaskCompletionSource? _idle;

    protected RealtimeConnection(long id, string tenant, RealtimeContext context)
    {
        Id = id;
        Tenant = tenant;
        Context = context;
        long now = context.Time.GetTimestamp();
        LastReceived = now;
        _lastSent = now;
    }

    public long Id { get; }

    public string Tenant { get; }

    /// <summary><c>websocket</c> or <c>sse</c>, for logs and metrics.</summary>
    public abstract string Transport { get; }

    public abstract FrameFormat Format { get; }

    /// <summary>Frames waiting behind the one being sent.</summary>
    public int Backlog => Volatile.Read(ref _queued);

    /// <summary>When the client last sent anything (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastReceived { get; protected set; }

    /// <summary>When the last frame finished sending.</summary>
    public long LastSent => Volatile.Read(ref _lastSent);

    /// <summary>When the frame being sent now started, or 0 when none is.</summary>
    public long SendStarted => Volatile.Read(ref _sendStarted);

    /// <summary>When the access token the connection was opened with expires, or null when it does not (or there is none).</summary>
    public DateTimeOffset? TokenExpires { get; init; }

    /// <summary>The user it was opened by (empty on an open server), so that it can be closed when their membership changes.</summary>
    public string UserId { get; init; } = string.Empty;

    /// <summary>Completes with the reason once the connection is closed.</summary>
    public Task<CloseReason> Closed => _closed.Task;

    /// <summary>Cancelled when the connection is closed from this side.</summary>
    protected CancellationToken Aborted => _aborted.Token;

    protected RealtimeContext Context { get; }

    // The state below belongs to the tenant's feed and is read and written under its lock only.

    /// <summary>The version up to which the client has every record it pulls, or -1 when it must pull to know.</summary>
    internal long Position { get; set; } = -1;

    /// <summary>Pulls received and not yet answered; no records are pushed to a connection while it pulls.</summary>
    internal int PendingPulls { get; set; }

    /// <summary>Whether the client keeps CRDT state, as its last pull said (text as deltas).</summary>
    internal bool Deltas { get; set; }

    /// <summary>The collections its last pull named, or null for all.</summary>
    internal CollectionFilter? Collections { get; set; }

    /// <summary>Sends <paramref name="frame"/> now if the connection is idle, otherwise after what waits.</summary>
    /// <returns>False when the connection is closed, or was closed because too much waits.</returns>
    public bool Send(OutgoingFrame frame)
    {
        if (!Queue(frame, out bool kick))
        {
            return false;
        }

        if (kick)
        {
            Kick();
        }

        return true;
    }

    /// <summary>
    /// Queues <paramref name="frame"/> without sending it. When the connection was idle, <paramref name="kick"/> is
    /// set and the caller must call <see cref="Kick"/> once it has left its own locks: a broadcast queues under the
    /// feed's lock, which keeps each connection's frames in order, and sends outside it, on every core.
    /// </summary>
    /// <returns>False when the connection is closed, or was closed because too much waits.</returns>
    public bool Queue(OutgoingFrame frame, out bool kick)
    {
        kick = false;
        lock (_sendGate)
        {
            if (_closing)
            {
                frame.Release();
                return false;
            }

            if (_queued >= Context.Options.MaxQueuedFrames)
            {
                frame.Release();
                Close(CloseReason.QueueFull, dropped: true);
                return false;
            }

            (_queue ??= new Queue<OutgoingFrame>()).Enqueue(frame);
            _queued++;
            kick = StartSendingLocked();
            return true;
        }
    }

    /// <summary>Tells the client the tenant reached <paramref name="version"/>; pokes that wait are merged into one.</summary>
    public void Poke(long version)
    {
        if (QueuePoke(version))
        {
            Kick();
        }
    }

    /// <summary>As <see cref="Poke"/>, without sending: true when the caller must call <see cref="Kick"/>.</summary>
    public bool QueuePoke(long version)
    {
        lock (_sendGate)
        {
            if (_closing)
            {
                return false;
            }

            _pendingPoke = Math.Max(_pendingPoke, version);
            return StartSendingLocked();
        }
    }

    /// <summary>Starts sending what <see cref="Queue"/> or <see cref="QueuePoke"/> left waiting on an idle connection.</summary>
    public void Kick() => _ = SendLoopAsync();

    /// <summary>
    /// Closes the connection from this side; the first reason given is the one logged. A reason with a close status
    /// lets what is queued go first; one without cuts the connection at once.
    /// </summary>
    public void Close(CloseReason reason, bool dropped = false)
    {
        lock (_sendGate)
        {
            if (_closing)
            {
                return;
            }

            _closing = true;
            _closeReason = reason;
        }

        if (dropped)
        {
            ConcordServerLog.Dropped(Context.Logger, Id, reason.Text);
        }

        // Outside the lock: cancelling runs the callbacks of whatever waits on the token.
        if (reason.Status is null)
        {
            _aborted.Cancel();
        }

        Abort(reason);
    }

    /// <summary>Called once the connection has ended, whichever side ended it; a reason given to <see cref="Close"/> wins.</summary>
    protected void Finish(CloseReason reason)
    {
        lock (_sendGate)
        {
            _closing = true;
            reason = _closeReason ?? reason;
            while (_queue?.TryDequeue(out OutgoingFrame waiting) == true)
            {
                waiting.Release();
            }

            _queued = 0;
            _idle?.TrySetResult();
            _idle = null;
        }

        _aborted.Cancel();
        _closed.TrySetResult(reason);
    }

    /// <summary>Completes once everything queued has been sent (or the connection has closed).</summary>
    protected Task WhenSentAsync()
    {
        lock (_sendGate)
        {
            return _sending ? (_idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task : Task.CompletedTask;
        }
    }

    protected abstract ValueTask SendCoreAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    protected abstract OutgoingFrame EncodePoke(long version);

    /// <summary>Tells the client why the connection is about to close, when the transport has a way to say it.</summary>
    public virtual void Explain(Concord.Errors.SyncError error)
    {
    }

    /// <summary>Ends the transport: with a close handshake when <paramref name="reason"/> has a status, at once otherwise.</summary>
    protected abstract void Abort(CloseReason reason);

    /// <summary>Marks the connection as sending; true when it was idle, so that someone must start the send loop.</summary>
    private bool StartSendingLocked()
    {
        if (_sending)
        {
            return false;
        }

        _sending = true;
        return true;
    }

    private async Task SendLoopAsync()
    {
        try
        {
            while (true)
            {
                OutgoingFrame frame = default;
                long poke = -1;
                lock (_sendGate)
                {
                    if (_queue is not null && _queue.TryDequeue(out frame))
                    {
                        _queued--;
                    }
                    else if (_pendingPoke >= 0)
                    {
                        poke = _pendingPoke;
                        _pendingPoke = -1;
                    }
                    else
                    {
                        _sending = false;
                        Volatile.Write(ref _sendStarted, 0);
                        _idle?.TrySetResult();
                        _idle = null;
                        return;
                    }
                }

                if (poke >= 0)
                {
                    frame = EncodePoke(poke);
                }

                Volatile.Write(ref _sendStarted, Context.Time.GetTimestamp());
                try
                {
                    await SendCoreAsync(frame.Bytes, _aborted.Token).ConfigureAwait(false);
                }
                finally
                {
                    frame.Release();
                    Volatile.Write(ref _lastSent, Context.Time.GetTimestamp());
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Net.WebSockets.WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            Close(CloseReason.SendFailed);
        }
    }
}

using System.Net.Sockets;
using System.Threading.Channels;
using Concord.Client.Transport;
using Concord.Errors;
using Microsoft.Extensions.Logging;

namespace Concord.Client.Sync;

/// <summary>
/// The background loop. It keeps the link to the server up and reacts to what happens: a local write is pushed,
/// a poke is pulled, records the server sends are applied as they come, and a new connection gets a whole round.
/// Only while the server can tell it nothing (no WebSocket, no event stream) does it poll. After a failure it backs
/// off with jitter; a new connection cuts the wait short, local writes do not.
/// </summary>
internal sealed class SyncLoop : ILinkEvents
{
    private readonly SyncRound _round;
    private readonly ServerLink _link;
    private readonly ConcordClientOptions _options;
    private readonly ILogger _logger;
    private readonly ClientMetrics _metrics;
    private readonly Action<SyncState, SyncError?> _setState;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Random _jitter = new();
    private int _wantPush;
    private int _wantPull;
    private int _connected;
    private volatile bool _pollable = true;
    private CancellationTokenSource? _stop;
    private Task? _running;

    public SyncLoop(SyncRound round, ServerLink link, ConcordClientOptions options, ILogger logger, ClientMetrics metrics, Action<SyncState, SyncError?> setState)
    {
        _round = round;
        _link = link;
        _options = options;
        _logger = logger;
        _metrics = metrics;
        _setState = setState;
    }

    public bool IsRunning => _running is { IsCompleted: false };

    public void Start()
    {
        if (IsRunning)
        {
            return;
        }

        _stop = new CancellationTokenSource();
        _setState(SyncState.Connecting, null);
        Interlocked.Exchange(ref _wantPush, 1);
        Interlocked.Exchange(ref _wantPull, 1);
        CancellationToken token = _stop.Token;
        _link.Start(this);
        _running = Task.Run(() => RunAsync(token), CancellationToken.None);
    }

    /// <summary>A local write: push it soon. Cheap; calls while one is pending collapse into it.</summary>
    public void Poke()
    {
        Interlocked.Exchange(ref _wantPush, 1);
        _wake.Writer.TryWrite(true);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop is null || _running is null)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _running.WaitAsync(cancellationToken).ConfigureAwait(false);
            await _link.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _stop.Dispose();
            _stop = null;
            _running = null;
            _setState(SyncState.Idle, null);
        }
    }

    void ILinkEvents.Connected(bool realtime)
    {
        _pollable = !realtime;
        Interlocked.Exchange(ref _connected, 1);
        Interlocked.Exchange(ref _wantPush, 1);
        Interlocked.Exchange(ref _wantPull, 1);
        _wake.Writer.TryWrite(true);
    }

    void ILinkEvents.Poked()
    {
        _metrics.Poked();
        Interlocked.Exchange(ref _wantPull, 1);
        _wake.Writer.TryWrite(true);
    }

    void ILinkEvents.ChangesArrived() => _wake.Writer.TryWrite(true);

    void ILinkEvents.Lost()
    {
        _pollable = true;
        _setState(SyncState.Connecting, null);
        _wake.Writer.TryWrite(true);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        int failures = 0;
        while (!stop.IsCancellationRequested)
        {
            TimeSpan? backoff = null;
            try
            {
                await _round.ApplyArrivedChangesAsync(stop).ConfigureAwait(false);
                bool pull = Interlocked.Exchange(ref _wantPull, 0) == 1 || _pollable;
                bool push = Interlocked.Exchange(ref _wantPush, 0) == 1;
                if (push || pull)
                {
                    await _round.RunAsync(pull, stop).ConfigureAwait(false);
                    _setState(SyncState.Synced, null);
                }

                failures = 0;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // What failed is done again after the wait.
                Interlocked.Exchange(ref _wantPush, 1);
                Interlocked.Exchange(ref _wantPull, 1);
                backoff = Backoff.Delay(failures++, _options.MinBackoff, _options.MaxBackoff, _jitter);

                // A server that says when to come back is taken at its word.
                if (ex is SyncException { Error.RetryAfter: { } retryAfter } && retryAfter > backoff)
                {
                    backoff = retryAfter;
                }

                Report(ex, backoff.Value);
            }

            try
            {
                await WaitAsync(backoff, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Report(Exception ex, TimeSpan wait)
    {
        switch (ex)
        {
            case SyncException sync:
                ConcordClientLog.Failed(_logger, sync.Code, (long)wait.TotalMilliseconds);
                _setState(SyncState.Error, sync.Error);
                break;
            case HttpRequestException or SocketException or IOException or TimeoutException:
                ConcordClientLog.Offline(_logger, ex, (long)wait.TotalMilliseconds);
                _setState(SyncState.Offline, null);
                break;
            default:
                ConcordClientLog.Unexpected(_logger, ex);
                _setState(SyncState.Error, SyncError.Internal(ex.Message));
                break;
        }
    }

    /// <summary>
    /// Waits for something to do: any signal, or the poll interval while polling. While backing off, only a new
    /// connection or records from the server end the wait early: that local writes do not is the point of backing off.
    /// </summary>
    private async Task WaitAsync(TimeSpan? backoff, CancellationToken stop)
    {
        if (backoff is null && (Volatile.Read(ref _wantPush) == 1 || Volatile.Read(ref _wantPull) == 1))
        {
            return;
        }

        TimeSpan limit = backoff ?? (_pollable ? _options.PollInterval : Timeout.InfiniteTimeSpan);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        Task elapsed = Task.Delay(limit, _options.TimeProvider, timeout.Token);
        try
        {
            while (true)
            {
                Task woken = _wake.Reader.WaitToReadAsync(timeout.Token).AsTask();
                if (await Task.WhenAny(elapsed, woken).ConfigureAwait(false) == elapsed)
                {
                    stop.ThrowIfCancellationRequested();
                    return;
                }

                _wake.Reader.TryRead(out _);
                if (backoff is null || Interlocked.Exchange(ref _connected, 0) == 1 || _link.HasChanges)
                {
                    return;
                }
            }
        }
        finally
        {
            await timeout.CancelAsync().ConfigureAwait(false);
        }
    }
}

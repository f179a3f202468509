using System.Net.Http;
using System.Net.Sockets;
using System.Threading.Channels;
using Concord.Errors;
using Microsoft.Extensions.Logging;

namespace Concord.Client.Sync;

/// <summary>
/// The background loop: a round whenever something local changes or the poll interval passes,
/// and exponential backoff with jitter after a failure.
/// </summary>
internal sealed class SyncLoop
{
    private readonly Func<CancellationToken, Task> _round;
    private readonly ConcordClientOptions _options;
    private readonly ILogger _logger;
    private readonly Action<SyncState, SyncError?> _setState;
    private readonly Channel<bool> _pokes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Random _jitter = new();
    private CancellationTokenSource? _stop;
    private Task? _running;

    public SyncLoop(Func<CancellationToken, Task> round, ConcordClientOptions options, ILogger logger, Action<SyncState, SyncError?> setState)
    {
        _round = round;
        _options = options;
        _logger = logger;
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
        CancellationToken token = _stop.Token;
        _running = Task.Run(() => RunAsync(token), CancellationToken.None);
    }

    /// <summary>Asks for a round soon; cheap, and calls while one is already asked for collapse into it.</summary>
    public void Poke() => _pokes.Writer.TryWrite(true);

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
        }
        finally
        {
            _stop.Dispose();
            _stop = null;
            _running = null;
            _setState(SyncState.Idle, null);
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        int failures = 0;
        while (!stop.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                _pokes.Reader.TryRead(out _);
                await _round(stop).ConfigureAwait(false);
                failures = 0;
                _setState(SyncState.Synced, null);
                wait = _options.PollInterval;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (IsUnreachable(ex))
            {
                wait = Backoff.Delay(failures++, _options.MinBackoff, _options.MaxBackoff, _jitter);
                ConcordClientLog.Offline(_logger, ex, (long)wait.TotalMilliseconds);
                _setState(SyncState.Offline, null);
            }
            catch (SyncException ex)
            {
                wait = Backoff.Delay(failures++, _options.MinBackoff, _options.MaxBackoff, _jitter);
                ConcordClientLog.Failed(_logger, ex.Code, (long)wait.TotalMilliseconds);
                _setState(SyncState.Error, ex.Error);
            }
            catch (Exception ex)
            {
                wait = Backoff.Delay(failures++, _options.MinBackoff, _options.MaxBackoff, _jitter);
                ConcordClientLog.Unexpected(_logger, ex);
                _setState(SyncState.Error, SyncError.Internal(ex.Message));
            }

            try
            {
                await WaitAsync(wait, pokeable: failures == 0, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WaitAsync(TimeSpan delay, bool pokeable, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        Task sleep = Task.Delay(delay, _options.TimeProvider, timeout.Token);
        if (pokeable)
        {
            Task poked = _pokes.Reader.WaitToReadAsync(timeout.Token).AsTask();
            await Task.WhenAny(sleep, poked).ConfigureAwait(false);
            await timeout.CancelAsync().ConfigureAwait(false);
            stop.ThrowIfCancellationRequested();
            return;
        }

        // While backing off, local writes do not shorten the wait: that is the point of backing off.
        await sleep.ConfigureAwait(false);
    }

    private static bool IsUnreachable(Exception ex) =>
        ex is HttpRequestException or SocketException or IOException
        || (ex is TaskCanceledException && ex.InnerException is TimeoutException);
}

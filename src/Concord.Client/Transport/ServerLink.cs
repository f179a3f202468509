using Concord.Client.Sync;
using Concord.Protocol;
using Concord.Protocol.Realtime;
using Microsoft.Extensions.Logging;

namespace Concord.Client.Transport;

/// <summary>
/// Keeps a connection to the server: a WebSocket when the transport mode allows one, otherwise HTTP with server-sent
/// events for pokes (or polling where neither gets through), retrying the WebSocket in the background. Reconnects
/// with exponential backoff and full jitter, reset by every connection the server welcomes.
/// </summary>
internal sealed class ServerLink : IAsyncDisposable
{
    private readonly ConcordClientOptions _options;
    private readonly HttpClient _http;
    private readonly HttpSyncTransport _requests;
    private readonly IRealtimeFrameCodec _frames;
    private readonly Func<CancellationToken, Task<HelloMessage>> _hello;
    private ILinkEvents _events = null!;
    private readonly ILogger _logger;
    private readonly ClientMetrics _metrics;
    private readonly Uri _webSocket;
    private readonly Uri _eventStream;
    private readonly Random _jitter = new();
    private WebSocketSession? _session;
    private CancellationTokenSource? _stop;
    private Task _running = Task.CompletedTask;

    public ServerLink(ConcordClientOptions options, HttpClient http, IProtocolCodec codec, Func<CancellationToken, Task<HelloMessage>> hello, ILogger logger, ClientMetrics metrics)
    {
        _options = options;
        _http = http;
        _hello = hello;
        _logger = logger;
        _metrics = metrics;
        Uri root = options.ServerUrl!.AbsoluteUri.EndsWith('/') ? options.ServerUrl : new Uri(options.ServerUrl.AbsoluteUri + "/");
        _requests = new HttpSyncTransport(http, root, codec, options.AccessTokenProvider, options.Workspace);
        _frames = RealtimeFrameCodecs.Create(options.Encoding == ProtocolEncoding.Cbor ? CborFrameCodec.Name : JsonFrameCodec.Name, new ProtocolLimits())!;
        // Upgrades name their workspace in the query: browsers cannot give them headers, and the server reads both alike.
        string workspace = options.Workspace is null ? string.Empty : "?workspace=" + Uri.EscapeDataString(options.Workspace);
        _webSocket = new UriBuilder(new Uri(root, "ws" + workspace)) { Scheme = root.Scheme == "https" ? "wss" : "ws" }.Uri;
        _eventStream = new Uri(root, "events" + workspace);
    }

    /// <summary>Where pushes and pulls go now: the WebSocket while one is open, HTTP otherwise.</summary>
    public ISyncTransport Transport => Volatile.Read(ref _session) ?? (ISyncTransport)_requests;

    /// <summary>How the client hears from the server right now.</summary>
    public SyncConnection Connection { get; private set; }

    /// <summary>Takes the next records frame the WebSocket delivered, if any.</summary>
    public bool TryTakeChanges(out ChangesMessage changes)
    {
        changes = null!;
        return Volatile.Read(ref _session) is { } session && session.TryTakeChanges(out changes);
    }

    /// <summary>A records frame could not be applied: later ones are dropped until the next pull is answered.</summary>
    public void InvalidateChanges() => Volatile.Read(ref _session)?.MarkStale();

    /// <summary>Whether records frames wait to be taken.</summary>
    public bool HasChanges => Volatile.Read(ref _session) is { HasChanges: true };

    /// <summary>Connects, and keeps connecting, telling <paramref name="events"/> what happens.</summary>
    public void Start(ILinkEvents events)
    {
        if (_stop is not null)
        {
            return;
        }

        _events = events;
        _stop = new CancellationTokenSource();
        CancellationToken token = _stop.Token;
        _running = Task.Run(() => RunAsync(token), CancellationToken.None);
    }

    public async Task StopAsync()
    {
        if (_stop is null)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        _stop.Dispose();
        _stop = null;
        Connection = SyncConnection.None;
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task RunAsync(CancellationToken stop)
    {
        int failures = 0;
        bool webSocketBlocked = false;
        long webSocketRetryAt = 0;
        TimeProvider time = _options.TimeProvider;
        while (!stop.IsCancellationRequested)
        {
            bool welcomed = false;
            try
            {
                if (_options.Transport != SyncTransportMode.Http && (!webSocketBlocked || time.GetTimestamp() >= webSocketRetryAt))
                {
                    welcomed = await RunWebSocketAsync(stop).ConfigureAwait(false);
                    webSocketBlocked = false;
                }
                else
                {
                    TimeSpan window = _options.Transport == SyncTransportMode.Automatic
                        ? time.GetElapsedTime(time.GetTimestamp(), webSocketRetryAt)
                        : Timeout.InfiniteTimeSpan;
                    welcomed = await RunEventStreamAsync(window, stop).ConfigureAwait(false);
                    if (_options.Transport == SyncTransportMode.Automatic && time.GetTimestamp() >= webSocketRetryAt)
                    {
                        // Time to try the WebSocket again; HTTP was fine meanwhile, so no backoff.
                        continue;
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            // Refusals about the caller (no valid token, too many connections or requests) are not a network blocking
            // WebSockets: the client backs off and tries again as it is. A 403 may be either (proxies block with it).
            catch (WebSocketUpgradeRefusedException ex) when (_options.Transport == SyncTransportMode.Automatic && ex.Status is not (401 or 429))
            {
                ConcordClientLog.WebSocketRefused(_logger, ex.Status);
                webSocketBlocked = true;
                webSocketRetryAt = time.GetTimestamp() + (long)(_options.MaxBackoff.TotalSeconds * time.TimestampFrequency);
                continue;
            }
            catch (Exception ex)
            {
                ConcordClientLog.LinkFailed(_logger, ex.GetType().Name, ex.Message);
            }

            // A connection the server accepted was a healthy one: the next retry starts from the shortest delay.
            failures = welcomed ? 0 : failures;
            _events.Lost();
            _metrics.Reconnecting();
            TimeSpan delay = Backoff.Delay(failures++, _options.MinBackoff, _options.MaxBackoff, _jitter);
            ConcordClientLog.Reconnecting(_logger, (long)delay.TotalMilliseconds);
            try
            {
                await Task.Delay(delay, time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async ValueTask<string?> AccessTokenAsync(CancellationToken cancellationToken) =>
        _options.AccessTokenProvider is null ? null : await _options.AccessTokenProvider(cancellationToken).ConfigureAwait(false);

    /// <summary>One WebSocket session, from hello until it ends.</summary>
    /// <returns>True: the server welcomed it (and it has ended since).</returns>
    private async Task<bool> RunWebSocketAsync(CancellationToken stop)
    {
        HelloMessage hello = await _hello(stop).ConfigureAwait(false);
        WebSocketSession session = await WebSocketSession.ConnectAsync(
            _webSocket,
            _frames,
            hello,
            _events,
            _options.TimeProvider,
            _options.HeartbeatInterval,
            _options.ConnectTimeout,
            await AccessTokenAsync(stop).ConfigureAwait(false),
            stop).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            ConcordClientLog.Connected(_logger, "websocket", session.Welcome.Version);
            Volatile.Write(ref _session, session);
            Connection = SyncConnection.WebSocket;
            try
            {
                _events.Connected(realtime: true);
                await session.Completion.WaitAsync(stop).ConfigureAwait(false);
            }
            finally
            {
                Connection = SyncConnection.None;
                Volatile.Write(ref _session, null);
            }
        }

        return true;
    }

    /// <summary>
    /// HTTP with an event stream for pokes, for at most <paramref name="window"/>; polling while the server offers no
    /// stream.
    /// </summary>
    /// <returns>True: the stream was open (and has ended since).</returns>
    private async Task<bool> RunEventStreamAsync(TimeSpan window, CancellationToken stop)
    {
        using var open = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (window != Timeout.InfiniteTimeSpan)
        {
            open.CancelAfter(window > TimeSpan.Zero ? window : TimeSpan.Zero);
        }

        bool opened = false;
        try
        {
            try
            {
                await EventStreamListener.RunAsync(
                    _http,
                    _eventStream,
                    await AccessTokenAsync(open.Token).ConfigureAwait(false),
                    _events,
                    () =>
                    {
                        ConcordClientLog.Connected(_logger, "sse", -1);
                        opened = true;
                        Connection = SyncConnection.ServerSentEvents;
                        _events.Connected(realtime: true);
                    },
                    _options.HeartbeatInterval,
                    open.Token).ConfigureAwait(false);
                return opened;
            }
            catch (EventStreamUnavailableException ex) when (ex.Status is not (401 or 403 or 429))
            {
                ConcordClientLog.EventStreamUnavailable(_logger, ex.Status);
                Connection = SyncConnection.Polling;
                _events.Connected(realtime: false);
                await Task.Delay(Timeout.InfiniteTimeSpan, _options.TimeProvider, open.Token).ConfigureAwait(false);
                return false;
            }
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            // The window closed: back to trying the WebSocket.
            return opened;
        }
        finally
        {
            Connection = SyncConnection.None;
        }
    }
}

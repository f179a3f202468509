using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;
using Concord.Buffers;
using Concord.Errors;
using Concord.Protocol;
using Concord.Protocol.Realtime;

namespace Concord.Client.Transport;

/// <summary>
/// One open WebSocket to <c>{base}/ws</c>, after hello and welcome: pushes and pulls as frames with ids, records the
/// server sends on its own, pokes, and heartbeats. It ends when the connection does; <see cref="ServerLink"/> makes
/// the next one.
/// </summary>
internal sealed class WebSocketSession : ISyncTransport, IAsyncDisposable
{
    /// <summary>Records frames waiting to be applied; beyond this the client pulls instead (see <see cref="OnChanges"/>).</summary>
    private const int MaxWaitingChanges = 64;

    private readonly ClientWebSocket _socket;
    private readonly IRealtimeFrameCodec _codec;
    private readonly ILinkEvents _events;
    private readonly TimeProvider _time;
    private readonly TimeSpan _heartbeat;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<RealtimeFrame>> _pending = new();
    private readonly ConcurrentDictionary<long, bool> _pulls = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly Channel<ChangesMessage> _changes = Channel.CreateBounded<ChangesMessage>(new BoundedChannelOptions(MaxWaitingChanges) { SingleReader = true, SingleWriter = true });
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? _heartbeatTimer;
    private Task _receiving = Task.CompletedTask;
    private long _lastId;
    private long _lastReceived;
    private int _pulling;
    private int _stale;

    private WebSocketSession(ClientWebSocket socket, IRealtimeFrameCodec codec, ILinkEvents events, TimeProvider time, TimeSpan heartbeat)
    {
        _socket = socket;
        _codec = codec;
        _events = events;
        _time = time;
        _heartbeat = heartbeat;
        _lastReceived = time.GetTimestamp();
    }

    /// <summary>Completes when the connection has ended, either way.</summary>
    public Task Completion => _ended.Task;

    /// <summary>What the server said in its welcome.</summary>
    public WelcomeMessage Welcome { get; private set; } = null!;

    /// <summary>Opens the socket and says hello.</summary>
    /// <exception cref="WebSocketUpgradeRefusedException">The server, or something on the way, answered the upgrade with anything but 101.</exception>
    /// <exception cref="SyncException">The server refused the hello.</exception>
    public static async Task<WebSocketSession> ConnectAsync(
        Uri endpoint,
        IRealtimeFrameCodec codec,
        HelloMessage hello,
        ILinkEvents events,
        TimeProvider time,
        TimeSpan heartbeat,
        TimeSpan connectTimeout,
        string? accessToken,
        CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        if (accessToken is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + accessToken);
        }

        socket.Options.AddSubProtocol(codec.Subprotocol);
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        socket.Options.CollectHttpResponseDetails = true;
        var session = new WebSocketSession(socket, codec, events, time, heartbeat);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(connectTimeout);
            try
            {
                await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
            }
            catch (WebSocketException ex) when (socket.HttpStatusCode != 0)
            {
                throw new WebSocketUpgradeRefusedException((int)socket.HttpStatusCode, ex);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                // An upgrade that hangs is what a proxy that drops WebSockets looks like.
                throw new WebSocketUpgradeRefusedException(0, ex);
            }

            if (socket.SubProtocol != codec.Subprotocol)
            {
                throw new WebSocketUpgradeRefusedException(101, null);
            }

            session._receiving = session.ReceiveLoopAsync();
            RealtimeFrame welcome = await session.RequestAsync(FrameTypes.Hello, hello, timeout.Token).ConfigureAwait(false);
            session.Welcome = (WelcomeMessage)welcome.Body!;
            session._heartbeatTimer = time.CreateTimer(static s => ((WebSocketSession)s!).Beat(), session, heartbeat, heartbeat);
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<PushResponse> PushAsync(PushRequest request, CancellationToken cancellationToken = default) =>
        (PushResponse)(await RequestAsync(FrameTypes.Push, request, cancellationToken).ConfigureAwait(false)).Body!;

    /// <inheritdoc />
    /// <remarks>
    /// Records frames that came before the answer were sent before the server saw this pull, so the answer holds at
    /// least what they hold: those still waiting are dropped, and so is any that arrives before the answer. The
    /// receive loop counts the answer in as it reads it, so a frame right behind it is kept.
    /// </remarks>
    public async Task<PullResponse> PullAsync(PullRequest request, CancellationToken cancellationToken = default)
    {
        long id = Interlocked.Increment(ref _lastId);
        _pulls[id] = true;
        Interlocked.Increment(ref _pulling);
        try
        {
            Discard();
            return (PullResponse)(await RequestAsync(id, FrameTypes.Pull, request, cancellationToken).ConfigureAwait(false)).Body!;
        }
        finally
        {
            // No answer came (failure, cancellation): it no longer holds records frames back.
            if (_pulls.TryRemove(id, out _))
            {
                Interlocked.Decrement(ref _pulling);
            }
        }
    }

    /// <summary>Whether records frames wait to be taken.</summary>
    public bool HasChanges => _changes.Reader.Count > 0;

    /// <summary>Records frames received and not yet taken, in the order they came; none once the stream has a gap.</summary>
    public bool TryTakeChanges(out ChangesMessage changes)
    {
        if (Volatile.Read(ref _stale) != 0)
        {
            Discard();
            changes = null!;
            return false;
        }

        return _changes.Reader.TryRead(out changes!);
    }

    /// <summary>
    /// A records frame was not applied (it could not be queued, or applying it failed): the server counts this replica
    /// as having it, so every later frame would leave a gap. They are all dropped until a pull has been answered.
    /// </summary>
    public void MarkStale()
    {
        Interlocked.Exchange(ref _stale, 1);
        Discard();
    }

    public async ValueTask DisposeAsync()
    {
        _heartbeatTimer?.Dispose();
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
            {
            }
        }

        _socket.Abort();
        try
        {
            await _receiving.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
        }

        _socket.Dispose();
        _sending.Dispose();
    }

    private Task<RealtimeFrame> RequestAsync(string type, object body, CancellationToken cancellationToken) =>
        RequestAsync(Interlocked.Increment(ref _lastId), type, body, cancellationToken);

    private async Task<RealtimeFrame> RequestAsync(long id, string type, object body, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<RealtimeFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        try
        {
            if (_ended.Task.IsCompleted)
            {
                throw Gone();
            }

            await SendAsync(new RealtimeFrame(type, FrameId.From(id), body), cancellationToken).ConfigureAwait(false);
            RealtimeFrame frame = await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return frame.Body is ErrorResponse error ? throw new SyncException(error.Error.ToError()) : frame;
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task SendAsync(RealtimeFrame frame, CancellationToken cancellationToken)
    {
        using var buffer = new PooledBufferWriter(frame.Body is PushRequest ? 16 * 1024 : 256);
        _codec.Encode(frame, buffer);
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(buffer.WrittenMemory, _codec.IsText ? WebSocketMessageType.Text : WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            throw Gone(ex);
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        Exception? failure = null;
        try
        {
            using var message = new PooledBufferWriter(16 * 1024);
            while (true)
            {
                message.Clear();
                ValueWebSocketReceiveResult part;
                do
                {
                    part = await _socket.ReceiveAsync(message.GetMemory(16 * 1024), CancellationToken.None).ConfigureAwait(false);
                    if (part.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    message.Advance(part.Count);
                }
                while (!part.EndOfMessage);

                Volatile.Write(ref _lastReceived, _time.GetTimestamp());
                if (_codec.TryDecode(message.WrittenMemory, out RealtimeFrame? frame, out _))
                {
                    Dispatch(frame);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            failure = ex;
        }
        finally
        {
            _heartbeatTimer?.Dispose();
            Exception gone = Gone(failure);
            foreach (TaskCompletionSource<RealtimeFrame> waiting in _pending.Values)
            {
                waiting.TrySetException(gone);
            }

            _ended.TrySetResult();
            _events.Lost();
        }
    }

    private void Dispatch(RealtimeFrame frame)
    {
        switch (frame.Type)
        {
            case FrameTypes.Changes:
                OnChanges((ChangesMessage)frame.Body!);
                break;
            case FrameTypes.Poke:
                _events.Poked();
                break;
            default:
                if (frame.Id is { IsNumber: true } id && _pending.TryGetValue(id.Number, out TaskCompletionSource<RealtimeFrame>? waiting))
                {
                    // Before the next frame is read: records frames after a pull's answer are newer than it, and
                    // continue from it without a gap.
                    if (_pulls.TryRemove(id.Number, out _))
                    {
                        Interlocked.Exchange(ref _stale, 0);
                        Interlocked.Decrement(ref _pulling);
                    }

                    waiting.TrySetResult(frame);
                }

                break;
        }
    }

    /// <summary>
    /// Queues records sent by the server. A replica that cannot keep up pulls instead: the queue never grows past a
    /// bound, and a frame that does not fit costs one pull, which brings what it held and what came after it.
    /// </summary>
    private void OnChanges(ChangesMessage changes)
    {
        if (Volatile.Read(ref _pulling) > 0 || Volatile.Read(ref _stale) != 0)
        {
            return;
        }

        if (_changes.Writer.TryWrite(changes))
        {
            _events.ChangesArrived();
            return;
        }

        MarkStale();
        _events.Poked();
    }

    private void Discard()
    {
        while (_changes.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>Pings every interval; a server silent for two intervals is taken for gone.</summary>
    private void Beat()
    {
        if (_time.GetElapsedTime(Volatile.Read(ref _lastReceived)) > 2 * _heartbeat)
        {
            _socket.Abort();
            return;
        }

        _ = PingAsync();
    }

    private async Task PingAsync()
    {
        try
        {
            await SendAsync(new RealtimeFrame(FrameTypes.Ping), CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The receive loop sees the same failure and ends the session.
        }
    }

    private static IOException Gone(Exception? inner = null) => new("The WebSocket connection to the server was lost.", inner);
}

using System.Diagnostics;
using System.Net.WebSockets;
using Concord.Buffers;
using Concord.Errors;
using Concord.Protocol;
using Concord.Protocol.Realtime;
using Concord.Server.Diagnostics;
using Concord.Server.Endpoints;
using Concord.Server.Storage;
using Concord.Server.Sync;
using Concord.Validation;

namespace Concord.Server.Realtime;

/// <summary>
/// One client's WebSocket: reads frames in order, answers each request with its id, and sends what the tenant's
/// feed broadcasts. Requests are handled one at a time, so a client's answers come in the order it asked.
/// </summary>
internal sealed class WebSocketConnection : RealtimeConnection
{
    private const string Name = "websocket";

    private readonly WebSocket _socket;
    private readonly IRealtimeFrameCodec _codec;
    private readonly ChangeFeed _feeds;
    private readonly PushHandler _push;
    private readonly PullHandler _pull;
    private readonly RateLimiting.RequestRateLimiter _limiter;
    private readonly Auth.RequestAccess _access;
    private TenantFeed? _feed;

    public WebSocketConnection(long id, Auth.RequestAccess access, WebSocket socket, IRealtimeFrameCodec codec, RealtimeContext context, ChangeFeed feeds, PushHandler push, PullHandler pull, RateLimiting.RequestRateLimiter limiter)
        : base(id, access.Tenant, context)
    {
        _access = access;
        UserId = access.Principal.UserId;
        _limiter = limiter;
        _socket = socket;
        _codec = codec;
        _feeds = feeds;
        _push = push;
        _pull = pull;
        Format = codec.IsText ? FrameFormat.Json : FrameFormat.Cbor;
    }

    public override string Transport => Name;

    public override FrameFormat Format { get; }

    /// <summary>Runs the connection until either side closes it.</summary>
    public async Task RunAsync(CancellationToken requestAborted)
    {
        Context.Metrics.Connected(Name);
        ConcordServerLog.Connected(Context.Logger, Id, Name, _codec.Subprotocol, Tenant);
        using CancellationTokenRegistration closeOnAbort = requestAborted.Register(static c => ((WebSocketConnection)c!).Close(CloseReason.RequestAborted), this);
        CloseReason reason = CloseReason.ByClient;
        try
        {
            reason = await ReceiveLoopAsync().ConfigureAwait(false) ?? reason;
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            reason = CloseReason.Broken;
        }
        catch (Exception ex)
        {
            ConcordServerLog.Unhandled(Context.Logger, ex, "ws");
            reason = CloseReason.Internal;
            await CloseAsync(WebSocketCloseStatus.InternalServerError, "internal error").ConfigureAwait(false);
        }
        finally
        {
            _feed?.Leave(this);

            // When this side closed it first, that reason stands.
            Finish(reason);
            reason = await Closed.ConfigureAwait(false);
            Context.Metrics.Disconnected(Name, reason.Tag);
            ConcordServerLog.Disconnected(Context.Logger, Id, Name, reason.Text);
        }
    }

    /// <inheritdoc />
    public override void Explain(SyncError error) => Answer(FrameTypes.Error, null, Error(error));

    protected override ValueTask SendCoreAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        _socket.SendAsync(bytes, _codec.IsText ? WebSocketMessageType.Text : WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);

    protected override OutgoingFrame EncodePoke(long version) => Encode(new RealtimeFrame(FrameTypes.Poke, null, new PokeMessage { Version = version }));

    protected override void Abort(CloseReason reason)
    {
        if (reason.Status is { } status)
        {
            _ = CloseGracefullyAsync(status, reason);
        }
        else
        {
            _socket.Abort();
        }
    }

    /// <returns>Why the loop ended, when this side ended it.</returns>
    private async Task<CloseReason?> ReceiveLoopAsync()
    {
        while (true)
        {
            // Wait for the next message without holding a buffer: an idle connection then costs no receive memory.
            // No token: cancelling a receive aborts the socket, and a close from this side must still let the client answer it.
            ValueWebSocketReceiveResult head = await _socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
            if (head.MessageType == WebSocketMessageType.Close)
            {
                await AnswerCloseAsync().ConfigureAwait(false);
                return null;
            }

            using var message = new PooledBufferWriter(4 * 1024);
            bool ended = head.EndOfMessage;
            while (!ended)
            {
                ValueWebSocketReceiveResult part = await _socket.ReceiveAsync(message.GetMemory(16 * 1024), CancellationToken.None).ConfigureAwait(false);
                if (part.MessageType == WebSocketMessageType.Close)
                {
                    await AnswerCloseAsync().ConfigureAwait(false);
                    return null;
                }

                message.Advance(part.Count);
                ended = part.EndOfMessage;
                if (message.WrittenSpan.Length > Context.MaxMessageBytes)
                {
                    SyncError tooLarge = SyncError.PayloadTooLarge($"A message is at most {Context.MaxMessageBytes} bytes.", "maxMessageBytes", Context.MaxMessageBytes);
                    await FailAsync(null, tooLarge, WebSocketCloseStatus.MessageTooBig).ConfigureAwait(false);
                    return CloseReason.TooLarge;
                }
            }

            LastReceived = Context.Time.GetTimestamp();
            CloseReason? stop = await HandleAsync(message.WrittenMemory).ConfigureAwait(false);
            if (stop is not null)
            {
                return stop;
            }
        }
    }

    /// <returns>Null to go on reading; otherwise why the connection was closed.</returns>
    private async ValueTask<CloseReason?> HandleAsync(ReadOnlyMemory<byte> message)
    {
        bool decoded = _codec.TryDecode(message, out RealtimeFrame? frame, out FrameError? bad);

        // Every message counts, a bad one too: a flood of garbage is a flood.
        if (_limiter.TryAcquire(_access.RateKey, Tenant) is { } limited)
        {
            Answer(FrameTypes.Error, decoded ? frame!.Id : bad!.Id, Error(limited));
            return null;
        }

        if (!decoded)
        {
            ConcordServerLog.BadFrame(Context.Logger, Id, bad!.Error.Code);
            if (_feed is null)
            {
                await FailAsync(bad.Id, bad.Error, WebSocketCloseStatus.PolicyViolation).ConfigureAwait(false);
                return CloseReason.BadFrame;
            }

            Answer(FrameTypes.Error, bad!.Id, new ErrorResponse { Error = ErrorBody.From(bad.Error) });
            return null;
        }

        if (_feed is null && frame!.Type != FrameTypes.Hello)
        {
            await FailAsync(frame.Id, SyncError.BadRequest("The first frame must be hello."), WebSocketCloseStatus.PolicyViolation).ConfigureAwait(false);
            return CloseReason.BadFrame;
        }

        switch (frame!.Body)
        {
            case HelloMessage hello:
                return await HelloAsync(frame.Id, hello).ConfigureAwait(false);
            case PushRequest push:
                await PushAsync(frame.Id, push).ConfigureAwait(false);
                return null;
            case PullRequest pull:
                await PullAsync(frame.Id, pull).ConfigureAwait(false);
                return null;
            case null when frame.Type == FrameTypes.Ping:
                Answer(FrameTypes.Pong, frame.Id, null);
                return null;
            default:
                Answer(FrameTypes.Error, frame.Id, Error(SyncError.BadRequest($"A client does not send {frame.Type} frames.", new Dictionary<string, object> { ["field"] = "type" })));
                return null;
        }
    }

    private async ValueTask<CloseReason?> HelloAsync(FrameId? id, HelloMessage hello)
    {
        if (_feed is not null)
        {
            Answer(FrameTypes.Error, id, Error(SyncError.BadRequest("hello was sent already.")));
            return null;
        }

        if (!ProtocolExchange.SupportedVersions.Contains(hello.ProtocolVersion))
        {
            await FailAsync(id, ProtocolExchange.Unsupported(), WebSocketCloseStatus.PolicyViolation).ConfigureAwait(false);
            return CloseReason.UnsupportedProtocol;
        }

        if (!NameRules.IsValidId(hello.ClientId, Context.Limits.MaxOpIdLength))
        {
            await FailAsync(id, SyncError.BadRequest($"clientId must be 1-{Context.Limits.MaxOpIdLength} printable characters.", new Dictionary<string, object> { ["field"] = "clientId" }), WebSocketCloseStatus.PolicyViolation).ConfigureAwait(false);
            return CloseReason.BadFrame;
        }

        long? cursorVersion = SyncCursor.TryParse(hello.Cursor, out SyncCursor cursor) && cursor.Epoch == Context.Store.Epoch && cursor.BelongsTo(Tenant)
            ? cursor.Version
            : null;
        (_feed, long version) = await _feeds.JoinAsync(this, cursorVersion, Aborted).ConfigureAwait(false);
        Answer(FrameTypes.Welcome, id, new WelcomeMessage
        {
            ProtocolVersion = hello.ProtocolVersion,
            Hlc = Context.Clock.Now().ToString(),
            Version = version,
        });
        return null;
    }

    private async ValueTask PushAsync(FrameId? id, PushRequest request)
    {
        long started = Stopwatch.GetTimestamp();
        PushResponse? response;
        SyncError? error;
        try
        {
            (response, error) = await _push.HandleAsync(_access, request, Aborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A request that fails answers SYNC:INTERNAL; the connection stays.
            ConcordServerLog.Unhandled(Context.Logger, ex, "ws push");
            (response, error) = (null, SyncError.Internal());
        }

        if (response is null)
        {
            Answer(FrameTypes.Error, id, Error(error!));
            return;
        }

        Answer(FrameTypes.PushResult, id, response);
        Context.Metrics.PushAnswered(Name, response, started);
    }

    private async ValueTask PullAsync(FrameId? id, PullRequest request)
    {
        long started = Stopwatch.GetTimestamp();
        _feed!.BeginPull(this);
        PullResponse? response;
        long version;
        SyncError? error;
        try
        {
            (response, version, error) = await _pull.HandleAsync(_access, request, Aborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ConcordServerLog.Unhandled(Context.Logger, ex, "ws pull");
            (response, version, error) = (null, 0, SyncError.Internal());
        }

        if (response is null)
        {
            _feed.CompletePull(this, Encode(new RealtimeFrame(FrameTypes.Error, id, Error(error!))), request, null);
            return;
        }

        _feed.CompletePull(this, Encode(new RealtimeFrame(FrameTypes.PullResult, id, response)), request, response.HasMore ? null : version);
        Context.Metrics.PullAnswered(Name, response, started);
    }

    private void Answer(string type, FrameId? id, object? body) => Send(Encode(new RealtimeFrame(type, id, body)));

    private OutgoingFrame Encode(RealtimeFrame frame)
    {
        var buffer = new PooledBufferWriter(frame.Body is PullResponse ? 64 * 1024 : 512);
        _codec.Encode(frame, buffer);
        return OutgoingFrame.Owned(buffer);
    }

    /// <summary>Answers an error that ends the connection, then closes it.</summary>
    private async Task FailAsync(FrameId? id, SyncError error, WebSocketCloseStatus status)
    {
        ConcordServerLog.BadFrame(Context.Logger, Id, error.Code);
        Answer(FrameTypes.Error, id, Error(error));
        await CloseAsync(status, error.Code).ConfigureAwait(false);
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string? description)
    {
        try
        {
            // Queued frames go first: the close must not overtake the error that explains it.
            using var timeout = new CancellationTokenSource(Context.Options.SlowReaderTimeout);
            await WhenSentAsync().WaitAsync(timeout.Token).ConfigureAwait(false);
            await _socket.CloseOutputAsync(status, description, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or WebSocketException or IOException or ObjectDisposedException)
        {
            // The client is gone already.
        }
    }

    /// <summary>The client sent its close: answer it, unless this side had started the handshake.</summary>
    private Task AnswerCloseAsync() =>
        _socket.State == WebSocketState.CloseReceived
            ? CloseAsync(_socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null)
            : Task.CompletedTask;

    /// <summary>Sends the close frame, waits a little for the client's answer, and cuts the connection if none comes.</summary>
    private async Task CloseGracefullyAsync(WebSocketCloseStatus status, CloseReason reason)
    {
        await CloseAsync(status, reason.Tag).ConfigureAwait(false);
        try
        {
            await Closed.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _socket.Abort();
        }
    }

    private static ErrorResponse Error(SyncError error) => new() { Error = ErrorBody.From(error) };
}

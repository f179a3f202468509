using System.Buffers;
using System.Globalization;
using System.Text;
using Concord.Buffers;
using Concord.Server.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Concord.Server.Realtime;

/// <summary>
/// Server-sent events (<c>GET {base}/events</c>) for networks that block WebSockets: pokes and heartbeat comments
/// only; push and pull stay on HTTP.
/// </summary>
internal sealed class EventStreamConnection : RealtimeConnection
{
    private const string Name = "sse";
    private static readonly ReadOnlyMemory<byte> Heartbeat = ": ping\n\n"u8.ToArray();

    private readonly HttpContext _http;

    public EventStreamConnection(long id, string tenant, HttpContext http, RealtimeContext context)
        : base(id, tenant, context)
    {
        _http = http;
    }

    public override string Transport => Name;

    public override FrameFormat Format => FrameFormat.EventStream;

    /// <summary>Streams events until the client goes away or the server closes the stream.</summary>
    public async Task RunAsync(ChangeFeed feeds, CancellationToken requestAborted)
    {
        HttpResponse response = _http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";

        // Proxies that buffer responses (nginx) would hold the events back.
        response.Headers["X-Accel-Buffering"] = "no";
        Context.Metrics.Connected(Name);
        ConcordServerLog.Connected(Context.Logger, Id, Name, "text/event-stream", Tenant);
        TenantFeed? feed = null;
        using CancellationTokenRegistration closeOnAbort = requestAborted.Register(static c => ((EventStreamConnection)c!).Close(CloseReason.ByClient), this);
        try
        {
            (feed, long version) = await feeds.JoinAsync(this, null, Aborted).ConfigureAwait(false);

            // The first poke says where the tenant is, so a client that reconnects pulls at once.
            Poke(version);
            await Task.Delay(Timeout.Infinite, Aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            feed?.Leave(this);
            Finish(CloseReason.ByClient);
            CloseReason reason = await Closed.ConfigureAwait(false);
            Context.Metrics.Disconnected(Name, reason.Tag);
            ConcordServerLog.Disconnected(Context.Logger, Id, Name, reason.Text);
        }
    }

    /// <summary>A comment line that keeps proxies from timing the stream out; skipped while anything is being sent.</summary>
    public void SendHeartbeat()
    {
        if (SendStarted == 0 && Backlog == 0)
        {
            Send(OutgoingFrame.Shared(Heartbeat));
        }
    }

    protected override async ValueTask SendCoreAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _http.Response.Body.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await _http.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override OutgoingFrame EncodePoke(long version)
    {
        var buffer = new PooledBufferWriter(64);
        BuffersExtensions.Write(buffer, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"event: poke\ndata: {{\"version\":{version}}}\n\n")));
        return OutgoingFrame.Owned(buffer);
    }

    protected override void Abort(CloseReason reason)
    {
        _http.Abort();
        Finish(reason);
    }
}

using System.Net.WebSockets;
using Concord.Errors;
using Concord.Protocol;
using Concord.Protocol.Realtime;
using Concord.Server.Diagnostics;
using Concord.Server.Endpoints;
using Concord.Server.Sync;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace Concord.Server.Realtime;

/// <summary>The realtime handlers: <c>GET {base}/ws</c> (WebSocket) and <c>GET {base}/events</c> (server-sent events).</summary>
internal static class RealtimeEndpoints
{
    public static Task WebSocketAsync(HttpContext context) => ProtocolExchange.RunAsync(context, static async (ctx, codec) =>
    {
        // Who may connect is settled before anything else is said about the endpoint.
        if (await ProtocolExchange.AccessAsync(ctx, codec).ConfigureAwait(false) is not { } access)
        {
            return;
        }

        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            await ProtocolExchange.FailAsync(ctx, codec, SyncError.BadRequest($"This endpoint takes a WebSocket upgrade, with subprotocol {string.Join(" or ", RealtimeFrameCodecs.Subprotocols)}.")).ConfigureAwait(false);
            return;
        }

        RealtimeContext realtime = ctx.RequestServices.GetRequiredService<RealtimeContext>();
        IList<string> requested = ctx.WebSockets.WebSocketRequestedProtocols;
        string? subprotocol = requested.FirstOrDefault(p => RealtimeFrameCodecs.Subprotocols.Contains(p, StringComparer.Ordinal));
        if (requested.Count > 0 && subprotocol is null)
        {
            SyncError unsupported = SyncError.Create(
                SyncErrorCodes.UnsupportedProtocol,
                $"This server speaks the subprotocols {string.Join(", ", RealtimeFrameCodecs.Subprotocols)}.",
                new Dictionary<string, object> { ["supported"] = RealtimeFrameCodecs.Subprotocols.ToArray() });
            ConcordServerLog.UpgradeRefused(realtime.Logger, unsupported.Code);
            await ProtocolExchange.FailAsync(ctx, codec, unsupported).ConfigureAwait(false);
            return;
        }

        if (await OpenSlotAsync(ctx, codec, realtime).ConfigureAwait(false) is not { } slot)
        {
            return;
        }

        // The slot is given back however the connection ends, and if the upgrade itself fails.
        using (slot)
        {
            // No subprotocol asked for: JSON, answered without naming one, as RFC 6455 requires.
            IRealtimeFrameCodec frames = subprotocol == CborFrameCodec.Name ? realtime.Cbor : realtime.Json;
            using WebSocket socket = await ctx.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                SubProtocol = subprotocol,

                // Heartbeats are the protocol's own ping frames, checked by one timer for every connection.
                KeepAliveInterval = TimeSpan.Zero,
            }).ConfigureAwait(false);
            var connection = new WebSocketConnection(
                realtime.NextConnectionId(),
                access,
                socket,
                frames,
                realtime,
                ctx.RequestServices.GetRequiredService<ChangeFeed>(),
                ctx.RequestServices.GetRequiredService<PushHandler>(),
                ctx.RequestServices.GetRequiredService<PullHandler>(),
                ctx.RequestServices.GetRequiredService<RateLimiting.RequestRateLimiter>())
            {
                TokenExpires = Auth.RequestTenant.TokenExpires(ctx),
            };
            // The upgrade took a round trip during which the caller's membership may have changed, before the
            // connection could be tracked and so revoked: asked again, with nothing awaited between that and tracking.
            if (await ctx.RequestServices.GetRequiredService<Auth.WorkspaceAccess>().RecheckAsync(access, ctx.RequestAborted).ConfigureAwait(false) is not null)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, SyncErrorCodes.Forbidden, ctx.RequestAborted).ConfigureAwait(false);
                return;
            }

            ctx.RequestServices.GetRequiredService<RealtimeMonitor>().Track(connection);
            await connection.RunAsync(ctx.RequestAborted).ConfigureAwait(false);
        }
    });

    public static Task EventsAsync(HttpContext context) => ProtocolExchange.RunAsync(context, static async (ctx, codec) =>
    {
        if (await ProtocolExchange.AccessAsync(ctx, codec).ConfigureAwait(false) is not { } access)
        {
            return;
        }

        RealtimeContext realtime = ctx.RequestServices.GetRequiredService<RealtimeContext>();
        using IDisposable? slot = await OpenSlotAsync(ctx, codec, realtime).ConfigureAwait(false);
        if (slot is null)
        {
            return;
        }

        if (await ctx.RequestServices.GetRequiredService<Auth.WorkspaceAccess>().RecheckAsync(access, ctx.RequestAborted).ConfigureAwait(false) is { } changed)
        {
            await ProtocolExchange.FailAsync(ctx, codec, changed).ConfigureAwait(false);
            return;
        }

        var connection = new EventStreamConnection(realtime.NextConnectionId(), access.Tenant, ctx, realtime) { TokenExpires = Auth.RequestTenant.TokenExpires(ctx), UserId = access.Principal.UserId };
        ctx.RequestServices.GetRequiredService<RealtimeMonitor>().Track(connection);
        await connection.RunAsync(ctx.RequestServices.GetRequiredService<ChangeFeed>(), ctx.RequestAborted).ConfigureAwait(false);
    });

    /// <summary>A slot of the caller's <see cref="RealtimeOptions.MaxConnectionsPerUser"/>, or null once the refusal is answered.</summary>
    private static async ValueTask<IDisposable?> OpenSlotAsync(HttpContext ctx, IProtocolCodec codec, RealtimeContext realtime)
    {
        if (ctx.RequestServices.GetRequiredService<ConnectionQuota>().TryOpen(ProtocolExchange.Caller(ctx), out SyncError? refused) is { } slot)
        {
            return slot;
        }

        ConcordServerLog.UpgradeRefused(realtime.Logger, refused!.Code);
        await ProtocolExchange.FailAsync(ctx, codec, refused).ConfigureAwait(false);
        return null;
    }
}

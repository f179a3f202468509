using System.Diagnostics;
using Concord.Errors;
using Concord.Protocol;
using Concord.Server.Diagnostics;
using Concord.Server.Storage;
using Concord.Server.Sync;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Concord.Server.Endpoints;

/// <summary>The HTTP handlers of the sync API.</summary>
internal static class SyncEndpoints
{
    public static Task PushAsync(HttpContext context) => ProtocolExchange.RunAsync(context, static async (ctx, codec) =>
    {
        if (await ProtocolExchange.AccessAsync(ctx, codec).ConfigureAwait(false) is not { } access)
        {
            return;
        }

        PushRequest? request = await ProtocolExchange.ReadAsync<PushRequest>(ctx, codec).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        if (await ctx.RequestServices.GetRequiredService<Auth.WorkspaceAccess>().RecheckAsync(access, ctx.RequestAborted).ConfigureAwait(false) is { } changed)
        {
            await ProtocolExchange.FailAsync(ctx, codec, changed).ConfigureAwait(false);
            return;
        }

        long started = Stopwatch.GetTimestamp();
        PushHandler handler = ctx.RequestServices.GetRequiredService<PushHandler>();
        (PushResponse? response, SyncError? error) = await handler.HandleAsync(access, request, ctx.RequestAborted).ConfigureAwait(false);
        await RespondAsync(ctx, codec, response, error).ConfigureAwait(false);
        if (response is not null)
        {
            ctx.RequestServices.GetRequiredService<ConcordServerMetrics>().PushAnswered("http", response, started);
        }
    });

    public static Task PullAsync(HttpContext context) => ProtocolExchange.RunAsync(context, static async (ctx, codec) =>
    {
        if (await ProtocolExchange.AccessAsync(ctx, codec).ConfigureAwait(false) is not { } access)
        {
            return;
        }

        PullRequest? request = await ProtocolExchange.ReadAsync<PullRequest>(ctx, codec).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        long started = Stopwatch.GetTimestamp();
        PullHandler handler = ctx.RequestServices.GetRequiredService<PullHandler>();
        (PullResponse? response, _, SyncError? error) = await handler.HandleAsync(access, request, ctx.RequestAborted).ConfigureAwait(false);
        await RespondAsync(ctx, codec, response, error).ConfigureAwait(false);
        if (response is not null)
        {
            ctx.RequestServices.GetRequiredService<ConcordServerMetrics>().PullAnswered("http", response, started);
        }
    });

    public static Task DescribeAsync(HttpContext context) => ProtocolExchange.RunAsync(context, static (ctx, codec) =>
    {
        ConcordServerOptions options = ctx.RequestServices.GetRequiredService<IOptions<ConcordServerOptions>>().Value;
        var description = new ServerDescription
        {
            Version = typeof(SyncEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            ProtocolVersions = ProtocolExchange.SupportedVersions,
            Encodings = ctx.RequestServices.GetRequiredService<ProtocolCodecs>().MediaTypes,
            Limits = options.Limits,
            MaxClockDriftMs = (long)options.MaxClockDrift.TotalMilliseconds,
            Collections = options.Collections.Values
                .Select(c => new CollectionDescription
                {
                    Name = c.Name,
                    Policy = c.Policy.Name,
                    Fields = c.Fields.ToDictionary(f => f.Key, f => Crdt.CrdtOperation.FormatKind(f.Value), StringComparer.Ordinal),
                    Schema = c.Schema.Count == 0 ? null : c.Schema.ToDictionary(
                        f => f.Key,
                        f => new FieldDescription { Type = f.Value.Type.ToString().ToLowerInvariant(), Required = f.Value.Required, MaxLength = f.Value.MaxLength },
                        StringComparer.Ordinal),
                    AllowUndeclaredFields = c.AllowUndeclaredFields ? null : false,
                })
                .ToArray(),
            AllowUndeclaredCollections = options.AllowUndeclaredCollections,
        };
        return ProtocolResponses.WriteAsync(ctx, codec, description);
    });

    public static Task StatsAsync(HttpContext context) => ProtocolExchange.RunAsync(context, static async (ctx, codec) =>
    {
        if (await ProtocolExchange.AccessAsync(ctx, codec).ConfigureAwait(false) is not { } access)
        {
            return;
        }

        ISyncStore store = ctx.RequestServices.GetRequiredService<ISyncStore>();
        StoreMetadata metadata = await store.ReadMetadataAsync(access.Tenant, ctx.RequestAborted).ConfigureAwait(false);
        await ProtocolResponses.WriteAsync(ctx, codec, new StatsResponse
        {
            Records = metadata.Records,
            Tenants = metadata.Tenants,
            CurrentVersion = metadata.CurrentVersion,
            AppliedOps = metadata.AppliedOps,
        }).ConfigureAwait(false);
    });

    public static Task NotFoundAsync(HttpContext context) => ProtocolExchange.RunAsync(context, static (ctx, codec) =>
        ProtocolExchange.FailAsync(ctx, codec, SyncError.Create(SyncErrorCodes.NotFound, "No such sync endpoint.")));

    public static Task MethodNotAllowedAsync(HttpContext context) => ProtocolExchange.RunAsync(context, static (ctx, codec) =>
        ProtocolExchange.FailAsync(ctx, codec, SyncError.BadRequest($"{ctx.Request.Method} is not allowed here."), StatusCodes.Status405MethodNotAllowed));

    private static Task RespondAsync<T>(HttpContext context, Protocol.IProtocolCodec codec, T? response, SyncError? error)
        where T : class =>
        response is not null
            ? ProtocolResponses.WriteAsync(context, codec, response)
            : ProtocolExchange.FailAsync(context, codec, error!);
}

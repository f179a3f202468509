using Concord.Errors;
using Concord.Protocol;
using Concord.Server.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Concord.Server.Endpoints;

/// <summary>
/// The request boundary every sync endpoint runs inside: protocol version check, body decoding
/// within limits, and the one place that catches everything and answers <c>SYNC:INTERNAL</c>.
/// </summary>
internal static class ProtocolExchange
{
    /// <summary>The optional request header naming the protocol version the client speaks.</summary>
    public const string ProtocolHeader = "Concord-Protocol";

    public static readonly IReadOnlyList<int> SupportedVersions = [1];

    public static async Task RunAsync(HttpContext context, Func<HttpContext, IProtocolCodec, Task> handler)
    {
        ProtocolCodecs codecs = context.RequestServices.GetRequiredService<ProtocolCodecs>();
        IProtocolCodec responseCodec = codecs.ForResponse(context.Request);
        try
        {
            if (!IsSupportedProtocol(context.Request, out SyncError? protocolError))
            {
                await FailAsync(context, responseCodec, protocolError).ConfigureAwait(false);
                return;
            }

            await handler(context, responseCodec).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            ConcordServerLog.Unhandled(Logger(context), ex, context.Request.Path);
            context.Response.Clear();
            await ProtocolResponses.WriteErrorAsync(context, responseCodec, SyncError.Internal()).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What the request may do (see <see cref="Auth.WorkspaceAccess"/>), once it comes from an allowed origin, the
    /// caller is known, a member of the workspace and within its rate limits; or null once the refusal is answered.
    /// </summary>
    public static async ValueTask<Auth.RequestAccess?> AccessAsync(HttpContext context, IProtocolCodec responseCodec)
    {
        if (OriginRefusal(context) is { } refused)
        {
            await FailAsync(context, responseCodec, refused).ConfigureAwait(false);
            return null;
        }

        (Auth.RequestAccess? access, SyncError? error) = await context.RequestServices.GetRequiredService<Auth.WorkspaceAccess>().ResolveAsync(context).ConfigureAwait(false);
        if (access is not null)
        {
            context.Items[AccessKey] = access;
            return access;
        }

        await FailAsync(context, responseCodec, error!).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// Why a request from a web page of another origin is refused, or null. CORS only hides answers from such pages:
    /// the requests themselves (a form's POST, a WebSocket) reach the server, with the user's cookies or on an open
    /// server, unless refused here. Requests with no <c>Origin</c>, as other programs send them, are not concerned.
    /// </summary>
    public static SyncError? OriginRefusal(HttpContext context) =>
        context.RequestServices.GetRequiredService<Cors.CrossOriginPolicy>().Allows(context.Request)
            ? null
            : SyncError.Create(SyncErrorCodes.Forbidden, "Pages of this origin may not use this server.", new Dictionary<string, object> { ["field"] = "Origin" });

    /// <summary>Who <see cref="AccessAsync"/> found the request comes from, for what it does next (WebSocket messages).</summary>
    public static string Caller(HttpContext context) => (context.Items[AccessKey] as Auth.RequestAccess)?.RateKey ?? string.Empty;

    private const string AccessKey = "Concord.Access";

    /// <summary>Reads and decodes the body as <typeparamref name="T"/>, answering the error itself when that fails.</summary>
    public static async ValueTask<T?> ReadAsync<T>(HttpContext context, IProtocolCodec responseCodec)
        where T : class
    {
        ConcordServerOptions options = context.RequestServices.GetRequiredService<IOptions<ConcordServerOptions>>().Value;
        IProtocolCodec requestCodec = context.RequestServices.GetRequiredService<ProtocolCodecs>().ForRequest(context.Request);
        (RequestBody? body, SyncError? error) = await RequestBody.ReadAsync(context, options.Limits.MaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await FailAsync(context, responseCodec, error!).ConfigureAwait(false);
            return null;
        }

        using (body)
        {
            if (body.Span.IsEmpty)
            {
                await FailAsync(context, responseCodec, SyncError.BadRequest("The request has no body.")).ConfigureAwait(false);
                return null;
            }

            if (!requestCodec.TryDecode(body.Memory, out T? message, out error))
            {
                await FailAsync(context, responseCodec, error).ConfigureAwait(false);
                return null;
            }

            return message;
        }
    }

    public static Task FailAsync(HttpContext context, IProtocolCodec codec, SyncError error, int? status = null)
    {
        ConcordServerLog.BadRequest(Logger(context), context.Request.Path, error.Code);
        return ProtocolResponses.WriteErrorAsync(context, codec, error, status);
    }

    private static bool IsSupportedProtocol(HttpRequest request, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out SyncError? error)
    {
        error = null;
        if (!request.Headers.TryGetValue(ProtocolHeader, out var values))
        {
            return true;
        }

        if (values.Count == 1 && int.TryParse(values[0], out int version) && SupportedVersions.Contains(version))
        {
            return true;
        }

        error = Unsupported();
        return false;
    }

    /// <summary>The answer to a client that speaks no version this server does.</summary>
    public static SyncError Unsupported() => SyncError.Create(
        SyncErrorCodes.UnsupportedProtocol,
        $"This server speaks protocol version {string.Join(", ", SupportedVersions)}.",
        new Dictionary<string, object> { ["supported"] = SupportedVersions.ToArray() });

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Concord.Server");
}

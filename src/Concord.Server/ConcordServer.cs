using Concord.Errors;
using Concord.Protocol;
using Concord.Server.Auth;
using Concord.Server.Sync;

namespace Concord.Server;

/// <summary>
/// The sync server for the app's own code (background jobs, server-rendered pages): writes and reads go through
/// the same membership checks, validation, collection rules, conflict policies and versions as a client's push and
/// pull, and what is written reaches connected clients like any other change. Not rate-limited.
/// </summary>
/// <example><code>
/// app.MapPost("/tasks/{id}/close", async (string id, ConcordServer sync, CancellationToken ct) =&gt;
/// {
///     PushResponse result = await sync.ApplyAsync(ConcordPrincipal.Server, "ws_team",
///         [new ChangeMessage { OpId = Guid.NewGuid().ToString(), Collection = "tasks", Id = id, Kind = "patch",
///             Fields = RawJsonValue.Parse("""{"done":true}"""), Hlc = sync.Now() }], ct);
/// });
/// </code></example>
public sealed class ConcordServer
{
    private readonly WorkspaceAccess _access;
    private readonly PushHandler _push;
    private readonly PullHandler _pull;
    private readonly Clock.HybridLogicalClock _clock;

    internal ConcordServer(WorkspaceAccess access, PushHandler push, PullHandler pull, Clock.HybridLogicalClock clock)
    {
        _access = access;
        _push = push;
        _pull = pull;
        _clock = clock;
    }

    /// <summary>A fresh timestamp from the server's clock, to stamp a change with.</summary>
    public string Now() => _clock.Now().ToString();

    /// <summary>Applies changes in <paramref name="tenant"/> as <paramref name="principal"/>, as one push.</summary>
    /// <returns>Each change's result, in order: applied, duplicate, or rejected with why.</returns>
    /// <exception cref="SyncException">The principal may not work in the tenant, or the batch as a whole is refused.</exception>
    public async ValueTask<PushResponse> ApplyAsync(ConcordPrincipal principal, string tenant, IReadOnlyList<ChangeMessage> changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(changes);
        RequestAccess access = await AccessAsync(principal, tenant, cancellationToken).ConfigureAwait(false);
        (PushResponse? response, SyncError? error) = await _push.HandleAsync(access, new PushRequest { ClientId = "server", Changes = changes }, cancellationToken).ConfigureAwait(false);
        return response ?? throw new SyncException(error!);
    }

    /// <summary>Reads one page of <paramref name="tenant"/>'s records changed after the request's cursor, as <paramref name="principal"/> may see them.</summary>
    /// <exception cref="SyncException">The principal may not work in the tenant, or the request is refused (a stale cursor, say).</exception>
    public async ValueTask<PullResponse> ReadAsync(ConcordPrincipal principal, string tenant, PullRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        RequestAccess access = await AccessAsync(principal, tenant, cancellationToken).ConfigureAwait(false);
        (PullResponse? response, _, SyncError? error) = await _pull.HandleAsync(access, request, cancellationToken).ConfigureAwait(false);
        return response ?? throw new SyncException(error!);
    }

    private async ValueTask<RequestAccess> AccessAsync(ConcordPrincipal principal, string tenant, CancellationToken cancellationToken)
    {
        (RequestAccess? access, SyncError? error) = await _access.ForPrincipalAsync(principal, tenant, cancellationToken).ConfigureAwait(false);
        return access ?? throw new SyncException(error!);
    }
}

using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Concord.Errors;
using Concord.Protocol;
using Concord.Server.Auth;
using Concord.Server.Diagnostics;
using Concord.Server.Endpoints;
using Concord.Server.Realtime;
using Concord.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Concord.Server.Workspaces;

/// <summary>
/// <c>/api/workspaces</c>: a user's workspaces and their members. Any member sees a workspace and its members; only
/// owners rename or delete it and manage members; anyone may leave, but the last owner may neither leave nor be
/// demoted. A workspace the caller is not a member of answers 404, as if it did not exist.
/// </summary>
internal static class WorkspaceEndpoints
{
    private const int MaxBodyBytes = 16 * 1024;
    private const int MaxNameLength = 200;

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/", ListAsync);
        group.MapPost("/", CreateAsync);
        group.MapGet("/{workspaceId}", GetAsync);
        group.MapPatch("/{workspaceId}", RenameAsync);
        group.MapDelete("/{workspaceId}", DeleteAsync);
        group.MapGet("/{workspaceId}/members", MembersAsync);
        group.MapPost("/{workspaceId}/members", AddMemberAsync);
        group.MapPut("/{workspaceId}/members/{userId}", SetMemberAsync);
        group.MapPatch("/{workspaceId}/members/{userId}", SetMemberAsync);
        group.MapDelete("/{workspaceId}/members/{userId}", RemoveMemberAsync);
        group.MapMethods("/", ["PUT", "PATCH", "DELETE"], SyncEndpoints.MethodNotAllowedAsync);
        group.MapMethods("/{workspaceId}", ["POST", "PUT"], SyncEndpoints.MethodNotAllowedAsync);
        group.MapMethods("/{workspaceId}/members", ["PUT", "PATCH", "DELETE"], SyncEndpoints.MethodNotAllowedAsync);
        group.MapMethods("/{workspaceId}/members/{userId}", ["GET", "POST"], SyncEndpoints.MethodNotAllowedAsync);
        group.MapFallback(SyncEndpoints.NotFoundAsync);
    }

    private static Task ListAsync(HttpContext context) => RunAsync(context, null, static async call =>
    {
        // A user's first authenticated request gets their default workspace, this one included.
        await call.Store.CreateAsync(new Workspace(WorkspaceAccess.DefaultPrefix + call.User.UserId, "Personal", IsDefault: true), call.User.UserId, call.Aborted).ConfigureAwait(false);
        IReadOnlyList<WorkspaceMembership> memberships = await call.Store.ListForUserAsync(call.User.UserId, call.Aborted).ConfigureAwait(false);
        await WriteAsync(call.Context, new WorkspaceListResponse { Workspaces = memberships.Select(m => WorkspaceResponse.From(m.Workspace, m.Role)).ToArray() }, WorkspaceJsonContext.Default.WorkspaceListResponse).ConfigureAwait(false);
    });

    private static Task CreateAsync(HttpContext context) => RunAsync(context, null, static async call =>
    {
        if (await call.ReadAsync(WorkspaceJsonContext.Default.WorkspaceRequest).ConfigureAwait(false) is not { } request || !await call.CheckNameAsync(request.Name).ConfigureAwait(false))
        {
            return;
        }

        var workspace = new Workspace("ws_" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz234567", 20), request.Name, IsDefault: false);
        if (!await call.Store.CreateAsync(workspace, call.User.UserId, call.Aborted).ConfigureAwait(false))
        {
            await call.FailAsync(SyncError.Internal()).ConfigureAwait(false);
            return;
        }

        call.Log("created", workspace.Id);
        call.Context.Response.Headers.Location = $"{call.Context.Request.PathBase}{call.Context.Request.Path.Value?.TrimEnd('/')}/{Uri.EscapeDataString(workspace.Id)}";
        await WriteAsync(call.Context, WorkspaceResponse.From(workspace, WorkspaceRole.Owner), WorkspaceJsonContext.Default.WorkspaceResponse, StatusCodes.Status201Created).ConfigureAwait(false);
    });

    private static Task GetAsync(HttpContext context, string workspaceId) => RunAsync(context, workspaceId, static async call =>
    {
        if (await call.MemberAsync(WorkspaceRole.Viewer).ConfigureAwait(false) is not { } role
            || await call.Store.FindAsync(call.WorkspaceId!, call.Aborted).ConfigureAwait(false) is not { } workspace)
        {
            return;
        }

        await WriteAsync(call.Context, WorkspaceResponse.From(workspace, role), WorkspaceJsonContext.Default.WorkspaceResponse).ConfigureAwait(false);
    });

    private static Task RenameAsync(HttpContext context, string workspaceId) => RunAsync(context, workspaceId, static async call =>
    {
        // The body first, the role after it: a body trickled in slowly must not outlast the caller's role.
        if (await call.ReadAsync(WorkspaceJsonContext.Default.WorkspaceRequest).ConfigureAwait(false) is not { } request
            || await call.MemberAsync(WorkspaceRole.Owner).ConfigureAwait(false) is null
            || !await call.CheckNameAsync(request.Name).ConfigureAwait(false))
        {
            return;
        }

        await call.Store.RenameAsync(call.WorkspaceId!, request.Name, call.Aborted).ConfigureAwait(false);
        call.Log("renamed");
        Workspace workspace = await call.Store.FindAsync(call.WorkspaceId!, call.Aborted).ConfigureAwait(false) ?? new Workspace(call.WorkspaceId!, request.Name, false);
        await WriteAsync(call.Context, WorkspaceResponse.From(workspace, WorkspaceRole.Owner), WorkspaceJsonContext.Default.WorkspaceResponse).ConfigureAwait(false);
    });

    private static Task DeleteAsync(HttpContext context, string workspaceId) => RunAsync(context, workspaceId, static async call =>
    {
        if (await call.MemberAsync(WorkspaceRole.Owner).ConfigureAwait(false) is null)
        {
            return;
        }

        if (call.WorkspaceId!.StartsWith(WorkspaceAccess.DefaultPrefix, StringComparison.Ordinal))
        {
            await call.FailAsync(SyncError.Create(SyncErrorCodes.Conflict, "A user's default workspace cannot be deleted.")).ConfigureAwait(false);
            return;
        }

        await call.Store.DeleteAsync(call.WorkspaceId, call.Aborted).ConfigureAwait(false);
        call.Log("deleted");
        call.Revoke(null);
        call.Context.Response.StatusCode = StatusCodes.Status204NoContent;
    });

    private static Task MembersAsync(HttpContext context, string workspaceId) => RunAsync(context, workspaceId, static async call =>
    {
        if (await call.MemberAsync(WorkspaceRole.Viewer).ConfigureAwait(false) is null)
        {
            return;
        }

        IReadOnlyList<WorkspaceMember> members = await call.Store.ListMembersAsync(call.WorkspaceId!, call.Aborted).ConfigureAwait(false);
        await WriteAsync(call.Context, new MemberListResponse { Members = members.Select(MemberResponse.From).ToArray() }, WorkspaceJsonContext.Default.MemberListResponse).ConfigureAwait(false);
    });

    private static Task AddMemberAsync(HttpContext context, string workspaceId) => RunAsync(context, workspaceId, static call => ChangeMemberAsync(call, null));

    private static Task SetMemberAsync(HttpContext context, string workspaceId, string userId) => RunAsync(context, workspaceId, call => ChangeMemberAsync(call, userId));

    private static async Task ChangeMemberAsync(WorkspaceCall call, string? userId)
    {
        // The body first, the role after it: a body trickled in slowly must not outlast the caller's role.
        if (await call.ReadAsync(WorkspaceJsonContext.Default.MemberRequest).ConfigureAwait(false) is not { } request
            || await call.MemberAsync(WorkspaceRole.Owner).ConfigureAwait(false) is null)
        {
            return;
        }

        if (userId is not null && request.UserId is not null && request.UserId != userId)
        {
            await call.FailAsync(SyncError.BadRequest("userId in the body differs from the one in the path.", new Dictionary<string, object> { ["field"] = "userId" })).ConfigureAwait(false);
            return;
        }

        userId ??= request.UserId;
        if (!await call.CheckUserIdAsync(userId).ConfigureAwait(false) || userId is null)
        {
            return;
        }

        if (!WorkspaceRoles.TryParse(request.Role, out WorkspaceRole? role))
        {
            await call.FailAsync(SyncError.BadRequest("role must be owner, editor or viewer.", new Dictionary<string, object> { ["field"] = "role" })).ConfigureAwait(false);
            return;
        }

        bool existed = await call.Store.FindRoleAsync(call.WorkspaceId!, userId, call.Aborted).ConfigureAwait(false) is not null;
        if (!await call.ApplyAsync(await call.Store.SetRoleAsync(call.WorkspaceId!, userId, role.Value, call.Aborted).ConfigureAwait(false)).ConfigureAwait(false))
        {
            return;
        }

        call.Log($"{userId} made {WorkspaceRoles.Format(role.Value)}");
        call.Revoke(userId);
        await WriteAsync(call.Context, MemberResponse.From(new WorkspaceMember(userId, role.Value)), WorkspaceJsonContext.Default.MemberResponse, existed ? StatusCodes.Status200OK : StatusCodes.Status201Created).ConfigureAwait(false);
    }

    private static Task RemoveMemberAsync(HttpContext context, string workspaceId, string userId) => RunAsync(context, workspaceId, async call =>
    {
        // Anyone may leave; only an owner may remove someone else.
        if (!await call.CheckUserIdAsync(userId).ConfigureAwait(false) || await call.MemberAsync(userId == call.User.UserId ? WorkspaceRole.Viewer : WorkspaceRole.Owner).ConfigureAwait(false) is null)
        {
            return;
        }

        if (!await call.ApplyAsync(await call.Store.RemoveMemberAsync(call.WorkspaceId!, userId, call.Aborted).ConfigureAwait(false)).ConfigureAwait(false))
        {
            return;
        }

        call.Log($"{userId} removed");
        call.Revoke(userId);
        call.Context.Response.StatusCode = StatusCodes.Status204NoContent;
    });

    /// <summary>The boundary of every workspace request: protocol checks, the authenticated user, rate limits, the workspace id.</summary>
    private static Task RunAsync(HttpContext context, string? workspaceId, Func<WorkspaceCall, Task> handler) => ProtocolExchange.RunAsync(context, async (ctx, codec) =>
    {
        SyncError? error = ProtocolExchange.OriginRefusal(ctx);
        ConcordPrincipal? user = null;
        if (error is null)
        {
            (user, error) = ctx.RequestServices.GetRequiredService<WorkspaceAccess>().User(ctx);
        }

        if (user is not null && workspaceId is not null && !WorkspaceAccess.IsValidWorkspaceId(workspaceId))
        {
            error = SyncError.BadRequest("The workspace id must be 1-128 printable characters.", new Dictionary<string, object> { ["field"] = "workspaceId" });
        }

        // Counted against the user alone: an id the caller names is not yet known to be a workspace of theirs.
        error ??= ctx.RequestServices.GetRequiredService<RateLimiting.RequestRateLimiter>().TryAcquireUser(WorkspaceAccess.RateKey(user!));
        if (error is not null)
        {
            await ProtocolExchange.FailAsync(ctx, codec, error).ConfigureAwait(false);
            return;
        }

        await handler(new WorkspaceCall(ctx, codec, user!, workspaceId)).ConfigureAwait(false);
    });

    private static async Task WriteAsync<T>(HttpContext context, T body, JsonTypeInfo<T> type, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(context.Response.Body, body, type, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>One workspace request: who asks, about which workspace, and the steps every handler shares.</summary>
    private sealed class WorkspaceCall(HttpContext context, IProtocolCodec codec, ConcordPrincipal user, string? workspaceId)
    {
        public HttpContext Context { get; } = context;

        public ConcordPrincipal User { get; } = user;

        public string? WorkspaceId { get; } = workspaceId;

        public IWorkspaceStore Store { get; } = context.RequestServices.GetRequiredService<IWorkspaceStore>();

        public CancellationToken Aborted => Context.RequestAborted;

        public Task FailAsync(SyncError error) => ProtocolExchange.FailAsync(Context, codec, error);

        /// <summary>The caller's role when it is at least <paramref name="least"/>; else answers 404 (not a member) or 403, and returns null.</summary>
        public async Task<WorkspaceRole?> MemberAsync(WorkspaceRole least)
        {
            WorkspaceRole? role = await Store.FindRoleAsync(WorkspaceId!, User.UserId, Aborted).ConfigureAwait(false);
            if (role is null)
            {
                await FailAsync(SyncError.Create(SyncErrorCodes.NotFound, "No such workspace.")).ConfigureAwait(false);
                return null;
            }

            if (role < least)
            {
                await FailAsync(SyncError.Create(SyncErrorCodes.Forbidden, $"Only an {(least == WorkspaceRole.Owner ? "owner" : "editor")} of this workspace may do this.")).ConfigureAwait(false);
                return null;
            }

            return role;
        }

        /// <summary>Reads the JSON body strictly, answering 400 or 413 itself when it cannot.</summary>
        public async Task<T?> ReadAsync<T>(JsonTypeInfo<T> type)
            where T : class
        {
            (RequestBody? body, SyncError? error) = await RequestBody.ReadAsync(Context, MaxBodyBytes, Aborted).ConfigureAwait(false);
            if (body is null)
            {
                await FailAsync(error!).ConfigureAwait(false);
                return null;
            }

            using (body)
            {
                try
                {
                    if (JsonSerializer.Deserialize(body.Span, type) is { } message)
                    {
                        return message;
                    }
                }
                catch (JsonException ex)
                {
                    await FailAsync(SyncError.BadRequest($"The body is not valid: {ex.Message}")).ConfigureAwait(false);
                    return null;
                }

                await FailAsync(SyncError.BadRequest("The body must be a JSON object.")).ConfigureAwait(false);
                return null;
            }
        }

        public Task<bool> CheckNameAsync(string? name) =>
            CheckAsync(NameRules.IsValidId(name, MaxNameLength) && name.Trim().Length > 0, $"name must be 1-{MaxNameLength} printable characters, not only spaces.", "name");

        public Task<bool> CheckUserIdAsync(string? userId) =>
            CheckAsync(NameRules.IsValidId(userId, 123), "userId must be 1-123 printable characters.", "userId");

        /// <summary>Answers what the store said when it was not done: 404 or 409 (the last owner).</summary>
        public async Task<bool> ApplyAsync(MembershipUpdate update)
        {
            switch (update)
            {
                case MembershipUpdate.Done:
                    return true;
                case MembershipUpdate.LastOwner:
                    await FailAsync(SyncError.Create(SyncErrorCodes.Conflict, "A workspace must keep an owner: make someone else an owner first.", new Dictionary<string, object> { ["reason"] = "lastOwner" })).ConfigureAwait(false);
                    return false;
                default:
                    await FailAsync(SyncError.Create(SyncErrorCodes.NotFound, "No such member.")).ConfigureAwait(false);
                    return false;
            }
        }

        public void Revoke(string? userId) => Context.RequestServices.GetRequiredService<RealtimeMonitor>().Revoke(WorkspaceId!, userId);

        public void Log(string action, string? workspaceId = null) =>
            ConcordServerLog.WorkspaceChanged(Context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Concord.Server.Workspaces"), workspaceId ?? WorkspaceId!, action, User.UserId);

        private async Task<bool> CheckAsync(bool valid, string message, string field)
        {
            if (!valid)
            {
                await FailAsync(SyncError.BadRequest(message, new Dictionary<string, object> { ["field"] = field })).ConfigureAwait(false);
            }

            return valid;
        }
    }
}

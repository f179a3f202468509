using Concord.Errors;
using Concord.Server.Workspaces;
using Concord.Validation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Concord.Server.Auth;

/// <summary>
/// Settles which workspace a caller works in and with what role, on every request, WebSocket or event-stream
/// upgrade and in-process call. The workspace is the one named (<c>Concord-Workspace</c>), else the token's tenant
/// claim, else the user's default workspace (<c>user:{sub}</c>, created on first use with them as its owner).
/// </summary>
/// <remarks>
/// A workspace the server keeps (<see cref="IWorkspaceStore"/>) admits its members only, with their stored role,
/// whatever the token says: a removed member is refused at once. A tenant the server does not keep is the identity
/// provider's to grant: its token's <c>tenant</c> claim admits the user, with the highest of <c>owner</c>,
/// <c>editor</c>, <c>viewer</c> in its roles (<c>editor</c> when none). An open server (no authentication required)
/// admits an anonymous caller to the workspace it names, or the default tenant, as an owner.
/// </remarks>
internal sealed class WorkspaceAccess(IWorkspaceStore workspaces, IConcordPrincipalMapper mapper, RateLimiting.RequestRateLimiter limiter, IOptions<ConcordServerOptions> options)
{
    /// <summary>The prefix of users' default workspaces, which only their user may be granted by a token.</summary>
    public const string DefaultPrefix = "user:";

    /// <summary>So that a default workspace's id, <c>user:{id}</c>, is a valid workspace id.</summary>
    private const int MaxUserIdLength = 123;

    private readonly ConcordServerOptions _options = options.Value;

    /// <summary>
    /// What the request may do, or why it may not go on. The caller's rate limit is checked as soon as the caller is
    /// known, before the workspace is looked up, so that a flood costs the server as little as possible; the
    /// workspace's once the caller is known to belong there.
    /// </summary>
    public async ValueTask<(RequestAccess? Access, SyncError? Error)> ResolveAsync(HttpContext context)
    {
        string? named = RequestTenant.Named(context);
        if (named is not null && !IsValidWorkspaceId(named))
        {
            return (null, SyncError.BadRequest("The workspace must be 1-128 printable characters.", new Dictionary<string, object> { ["field"] = RequestTenant.WorkspaceHeader }));
        }

        RequestAccess? access;
        SyncError? error;
        if (context.User.Identity?.IsAuthenticated != true)
        {
            if (_options.Auth.RequireAuthenticatedUser)
            {
                return (null, Unauthorized(context, "This server needs a valid access token (Authorization: Bearer, or access_token on a WebSocket or event-stream upgrade)."));
            }

            access = Anonymous(named ?? _options.DefaultTenant, "address:" + context.Connection.RemoteIpAddress);
            error = limiter.TryAcquireUser(access.RateKey);
        }
        else
        {
            (ConcordPrincipal? principal, error) = User(context);
            if (principal is null || (error = limiter.TryAcquireUser(RateKey(principal))) is not null)
            {
                return (null, error);
            }

            (access, error) = await ForUserAsync(principal, named, context.RequestAborted).ConfigureAwait(false);
        }

        return access is not null && (error ??= limiter.TryAcquireTenant(access.Tenant)) is null ? (access, null) : (null, error);
    }

    /// <summary>What a user's requests count against for rate limits.</summary>
    public static string RateKey(ConcordPrincipal user) => "user:" + user.UserId;

    /// <summary>The authenticated user the request comes from, or why there is none (401).</summary>
    public (ConcordPrincipal? Principal, SyncError? Error) User(HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return (null, Unauthorized(context, "This endpoint needs a valid access token."));
        }

        if (!mapper.TryMap(context.User, out ConcordPrincipal? principal) || !NameRules.IsValidId(principal.UserId, MaxUserIdLength))
        {
            return (null, Unauthorized(context, $"The access token names no valid user ({_options.Auth.UserIdClaim}: 1-{MaxUserIdLength} printable characters)."));
        }

        return (principal, null);
    }

    /// <summary>What <paramref name="principal"/> may do in <paramref name="tenant"/> (in-process calls), or why nothing.</summary>
    public ValueTask<(RequestAccess? Access, SyncError? Error)> ForPrincipalAsync(ConcordPrincipal principal, string tenant, CancellationToken cancellationToken)
    {
        if (!IsValidWorkspaceId(tenant))
        {
            return ValueTask.FromResult<(RequestAccess?, SyncError?)>((null, SyncError.BadRequest("The workspace must be 1-128 printable characters.", new Dictionary<string, object> { ["field"] = "tenant" })));
        }

        if (principal.IsServer || !principal.IsAuthenticated)
        {
            return ValueTask.FromResult<(RequestAccess?, SyncError?)>(principal.IsServer || !_options.Auth.RequireAuthenticatedUser
                ? (new RequestAccess(tenant, principal with { TenantId = tenant, Role = WorkspaceRole.Owner }, principal.IsServer ? "server" : "anonymous"), null)
                : (null, SyncError.Create(SyncErrorCodes.Unauthorized, "This server admits authenticated users only.")));
        }

        return ForUserAsync(principal, tenant, cancellationToken);
    }

    /// <summary>
    /// Whether the caller still has the role it was admitted with: a body may take long to arrive, and a connection to
    /// open, while an owner removes or demotes them. Asked again before a change is applied or a connection kept.
    /// </summary>
    public async ValueTask<SyncError?> RecheckAsync(RequestAccess access, CancellationToken cancellationToken) =>
        !access.Kept || await workspaces.FindRoleAsync(access.Tenant, access.Principal.UserId, cancellationToken).ConfigureAwait(false) == access.Principal.Role
            ? null
            : SyncError.Create(SyncErrorCodes.Forbidden, "Your membership of this workspace changed; try again.", new Dictionary<string, object> { ["field"] = RequestTenant.WorkspaceHeader });

    public static bool IsValidWorkspaceId(string id) => NameRules.IsValidId(id, 128);

    private async ValueTask<(RequestAccess? Access, SyncError? Error)> ForUserAsync(ConcordPrincipal principal, string? named, CancellationToken cancellationToken)
    {
        string own = DefaultPrefix + principal.UserId;
        string? claimed = principal.TenantId;
        if (claimed is not null && (!IsValidWorkspaceId(claimed) || (claimed.StartsWith(DefaultPrefix, StringComparison.Ordinal) && claimed != own)))
        {
            return (null, SyncError.Create(SyncErrorCodes.Forbidden, "The access token names a workspace it cannot grant."));
        }

        string tenant = named ?? claimed ?? own;
        WorkspaceRole? role = await workspaces.FindRoleAsync(tenant, principal.UserId, cancellationToken).ConfigureAwait(false);
        bool kept = role is not null;
        if (role is null && tenant == own)
        {
            await workspaces.CreateAsync(new Workspace(own, "Personal", IsDefault: true), principal.UserId, cancellationToken).ConfigureAwait(false);
            role = await workspaces.FindRoleAsync(tenant, principal.UserId, cancellationToken).ConfigureAwait(false);
            kept = role is not null;
        }
        else if (role is null && tenant == claimed && await workspaces.FindAsync(tenant, cancellationToken).ConfigureAwait(false) is null)
        {
            role = TokenRole(principal.Roles);
        }

        if (role is null)
        {
            return (null, SyncError.Create(SyncErrorCodes.Forbidden, "You are not a member of this workspace.", new Dictionary<string, object> { ["field"] = RequestTenant.WorkspaceHeader }));
        }

        return (new RequestAccess(tenant, principal with { TenantId = tenant, Role = role }, RateKey(principal)) { Kept = kept }, null);
    }

    private static RequestAccess Anonymous(string tenant, string rateKey) =>
        new(tenant, ConcordPrincipal.Anonymous with { TenantId = tenant, Role = WorkspaceRole.Owner }, rateKey);

    private static WorkspaceRole TokenRole(IReadOnlyList<string> roles)
    {
        WorkspaceRole? best = null;
        foreach (string name in roles)
        {
            if (WorkspaceRoles.TryParse(name, out WorkspaceRole? role) && (best is null || role > best))
            {
                best = role;
            }
        }

        return best ?? WorkspaceRole.Editor;
    }

    private static SyncError Unauthorized(HttpContext context, string message)
    {
        context.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return SyncError.Create(SyncErrorCodes.Unauthorized, message);
    }
}

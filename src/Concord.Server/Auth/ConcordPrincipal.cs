using Concord.Server.Workspaces;

namespace Concord.Server.Auth;

/// <summary>
/// Who a request comes from, as Concord sees it: a user, the tenant (workspace) they work in, their roles, and once
/// the request's workspace is settled, their role there. Collection rules (<see cref="CollectionOptions.CanRead"/>,
/// <see cref="CollectionOptions.CanWrite"/>) receive it.
/// </summary>
/// <param name="UserId">The user (the token's <c>sub</c> by default); empty for an anonymous caller.</param>
/// <param name="TenantId">As mapped from a token, the tenant its <c>tenant</c> claim names, or null; as given to a rule, the workspace the request works in.</param>
/// <param name="Roles">The user's roles (the token's <c>roles</c> claims by default).</param>
/// <example><code>
/// // Server code writing on a user's behalf, through the same checks as their own push:
/// await server.ApplyAsync(new ConcordPrincipal("alice", null, []), "ws_team", changes, cancellationToken);
/// // A background job, trusted with every workspace:
/// await server.ApplyAsync(ConcordPrincipal.Server, "ws_team", changes, cancellationToken);
/// </code></example>
public sealed record ConcordPrincipal(string UserId, string? TenantId, IReadOnlyList<string> Roles)
{
    /// <summary>The caller of an open server that sent no credentials.</summary>
    public static ConcordPrincipal Anonymous { get; } = new(string.Empty, null, []) { IsAuthenticated = false };

    /// <summary>Server code acting for itself (a background job): a member of every workspace, as an owner.</summary>
    public static ConcordPrincipal Server { get; } = new("server", null, []) { IsServer = true };

    /// <summary>Whether this is an authenticated user (false for <see cref="Anonymous"/>).</summary>
    public bool IsAuthenticated { get; init; } = true;

    /// <summary>Whether this is the server's own code (<see cref="Server"/>), which no membership is checked for.</summary>
    public bool IsServer { get; init; }

    /// <summary>The user's role in <see cref="TenantId"/>, once the request's workspace is settled; null before.</summary>
    public WorkspaceRole? Role { get; init; }
}

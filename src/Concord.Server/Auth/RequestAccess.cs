using Concord.Server.Workspaces;

namespace Concord.Server.Auth;

/// <summary>What a request may do: where it works, who it is, its role there, and what its rate limits count against.</summary>
/// <param name="Tenant">The tenant (workspace) the request works in.</param>
/// <param name="Principal">The caller, with <see cref="ConcordPrincipal.TenantId"/> and <see cref="ConcordPrincipal.Role"/> settled.</param>
/// <param name="RateKey">Who it counts against for rate limits: <c>user:{id}</c>, or on an open server <c>address:{ip}</c>.</param>
internal sealed record RequestAccess(string Tenant, ConcordPrincipal Principal, string RateKey)
{
    public WorkspaceRole Role => Principal.Role ?? WorkspaceRole.Viewer;

    public bool CanWrite => Role >= WorkspaceRole.Editor;

    /// <summary>Whether the role came from a workspace the server keeps, and so may change while the request runs.</summary>
    public bool Kept { get; init; }
}

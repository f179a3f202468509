namespace Concord.Server.Auth;

/// <summary>Who a request comes from, as Concord sees it: a user, the tenant their token grants, and their roles.</summary>
/// <param name="UserId">The user (the token's <c>sub</c> by default).</param>
/// <param name="TenantId">The tenant the token names (its <c>tenant</c> claim by default), or null.</param>
/// <param name="Roles">The user's roles (its <c>roles</c> claims by default).</param>
public sealed record ConcordPrincipal(string UserId, string? TenantId, IReadOnlyList<string> Roles);

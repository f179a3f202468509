using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace Concord.Server.Auth;

/// <summary>The default mapping: the claims named by <see cref="AuthOptions"/> (<c>sub</c>, <c>tenant</c>, <c>roles</c>).</summary>
internal sealed class ClaimsPrincipalMapper(IOptions<ConcordServerOptions> options) : IConcordPrincipalMapper
{
    private readonly AuthOptions _auth = options.Value.Auth;

    public bool TryMap(ClaimsPrincipal user, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ConcordPrincipal? principal)
    {
        principal = null;
        string? userId = user.FindFirst(_auth.UserIdClaim)?.Value;
        if (string.IsNullOrEmpty(userId))
        {
            return false;
        }

        string[] roles = user.FindAll(_auth.RolesClaim).Select(c => c.Value).ToArray();
        principal = new ConcordPrincipal(userId, user.FindFirst(_auth.TenantClaim)?.Value, roles);
        return true;
    }
}

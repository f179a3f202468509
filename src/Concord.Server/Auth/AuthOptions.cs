namespace Concord.Server.Auth;

/// <summary>How Concord reads who a request comes from. Authentication itself is the app's (any ASP.NET Core scheme).</summary>
/// <example><code>
/// builder.Services.AddAuthentication().AddJwtBearer(...);
/// builder.Services.AddConcord(o => o.Auth.RequireAuthenticatedUser = true).AddSqliteStore("concord.db");
/// app.UseAuthentication();
/// </code></example>
public sealed class AuthOptions
{
    /// <summary>
    /// Whether every sync request must come from an authenticated user (401 <c>SYNC:UNAUTHORIZED</c> otherwise).
    /// False by default: the server is open, every request in <see cref="ConcordServerOptions.DefaultTenant"/> or the
    /// workspace it names, which suits development only.
    /// </summary>
    public bool RequireAuthenticatedUser { get; set; }

    /// <summary>The claim that holds the user's id. <c>sub</c> by default.</summary>
    public string UserIdClaim { get; set; } = "sub";

    /// <summary>The claim that names the tenant (workspace) the token grants. <c>tenant</c> by default.</summary>
    public string TenantClaim { get; set; } = "tenant";

    /// <summary>The claims that hold the user's roles. <c>roles</c> by default.</summary>
    public string RolesClaim { get; set; } = "roles";

    /// <summary>Throws when a setting is empty.</summary>
    /// <exception cref="ArgumentException">A claim name is empty.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(UserIdClaim);
        ArgumentException.ThrowIfNullOrEmpty(TenantClaim);
        ArgumentException.ThrowIfNullOrEmpty(RolesClaim);
    }
}

using System.Diagnostics.CodeAnalysis;
using Concord.Errors;
using Concord.Validation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Concord.Server.Auth;

/// <summary>
/// The tenant a request works in: the workspace it names (<c>Concord-Workspace</c> header, or the <c>workspace</c>
/// query parameter of a WebSocket or event-stream upgrade), which must be one its token grants; else the token's
/// tenant; else the user's own. An open server (no authentication required) takes the named workspace as it is.
/// </summary>
internal static class RequestTenant
{
    public const string WorkspaceHeader = "Concord-Workspace";
    public const string WorkspaceQuery = "workspace";

    /// <param name="context">The request.</param>
    /// <param name="tenant">The tenant it works in.</param>
    /// <param name="caller">Who it counts against for rate limits: the user, or on an open server the address.</param>
    /// <param name="error">Why it may not go on.</param>
    public static bool TryResolve(HttpContext context, [NotNullWhen(true)] out string? tenant, [NotNullWhen(true)] out string? caller, [NotNullWhen(false)] out SyncError? error)
    {
        caller = null;
        ConcordServerOptions options = context.RequestServices.GetRequiredService<IOptions<ConcordServerOptions>>().Value;
        tenant = null;
        string? named = context.Request.Headers[WorkspaceHeader].FirstOrDefault() ?? context.Request.Query[WorkspaceQuery].FirstOrDefault();
        if (named is not null && !NameRules.IsValidId(named, 128))
        {
            error = SyncError.BadRequest("The workspace must be 1-128 printable characters.", new Dictionary<string, object> { ["field"] = WorkspaceHeader });
            return false;
        }

        if (context.User.Identity?.IsAuthenticated != true)
        {
            if (options.Auth.RequireAuthenticatedUser)
            {
                error = Unauthorized(context, "This server needs a valid access token (Authorization: Bearer, or access_token on a WebSocket or event-stream upgrade).");
                return false;
            }

            tenant = named ?? options.DefaultTenant;
            caller = "address:" + context.Connection.RemoteIpAddress;
            error = null;
            return true;
        }

        if (!context.RequestServices.GetRequiredService<IConcordPrincipalMapper>().TryMap(context.User, out ConcordPrincipal? principal))
        {
            error = Unauthorized(context, $"The access token names no user ({options.Auth.UserIdClaim}).");
            return false;
        }

        string granted = principal.TenantId ?? "user:" + principal.UserId;
        if (named is not null && !string.Equals(named, granted, StringComparison.Ordinal))
        {
            error = SyncError.Create(SyncErrorCodes.Forbidden, "The access token does not grant this workspace.", new Dictionary<string, object> { ["field"] = WorkspaceHeader });
            return false;
        }

        if (!NameRules.IsValidId(granted, 128))
        {
            error = SyncError.Create(SyncErrorCodes.Forbidden, "The access token names a workspace that is not 1-128 printable characters.");
            return false;
        }

        tenant = granted;
        caller = "user:" + principal.UserId;
        error = null;
        return true;
    }

    /// <summary>When the request's access token expires (its <c>exp</c> claim), or null.</summary>
    public static DateTimeOffset? TokenExpires(HttpContext context) =>
        context.User.FindFirst("exp")?.Value is { } exp && long.TryParse(exp, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    private static SyncError Unauthorized(HttpContext context, string message)
    {
        context.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return SyncError.Create(SyncErrorCodes.Unauthorized, message);
    }
}

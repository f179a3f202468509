using Microsoft.AspNetCore.Http;

namespace Concord.Server.Auth;

/// <summary>How a request names its workspace, and how long its credentials last.</summary>
internal static class RequestTenant
{
    public const string WorkspaceHeader = "Concord-Workspace";
    public const string WorkspaceQuery = "workspace";

    /// <summary>The workspace the request names: its <c>Concord-Workspace</c> header, else its <c>workspace</c> query parameter (for upgrades, which browsers cannot give headers).</summary>
    public static string? Named(HttpContext context) =>
        context.Request.Headers[WorkspaceHeader].FirstOrDefault() ?? context.Request.Query[WorkspaceQuery].FirstOrDefault();

    /// <summary>When the request's access token expires (its <c>exp</c> claim), or null.</summary>
    public static DateTimeOffset? TokenExpires(HttpContext context) =>
        context.User.FindFirst("exp")?.Value is { } exp && long.TryParse(exp, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
}

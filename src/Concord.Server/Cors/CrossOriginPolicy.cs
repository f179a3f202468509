using Concord.Server.Auth;
using Concord.Server.Endpoints;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Concord.Server.Cors;

/// <summary>
/// <see cref="CrossOriginOptions"/> as one ASP.NET Core <see cref="CorsPolicy"/>, put on the sync endpoints for the
/// CORS middleware and consulted for the <c>Origin</c> of realtime upgrades, so that both agree.
/// </summary>
internal sealed class CrossOriginPolicy
{
    public CrossOriginPolicy(IOptions<ConcordServerOptions> options)
    {
        IList<string> origins = options.Value.Cors.AllowedOrigins;
        if (origins.Count == 0)
        {
            return;
        }

        var builder = new CorsPolicyBuilder();
        if (origins.Contains(CrossOriginOptions.AnyOrigin))
        {
            builder.AllowAnyOrigin();
        }
        else
        {
            builder.WithOrigins([.. origins]);
        }

        Policy = builder
            .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete)
            .WithHeaders(HeaderNames.ContentType, HeaderNames.Authorization, RequestTenant.WorkspaceHeader, ProtocolExchange.ProtocolHeader)
            .WithExposedHeaders(HeaderNames.RetryAfter)
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))
            .Build();
    }

    /// <summary>The CORS policy of the sync endpoints; null when no origin is allowed, and then none is applied.</summary>
    public CorsPolicy? Policy { get; }

    /// <summary>
    /// Whether a page may use the server with this request: one without an <c>Origin</c> (not a browser),
    /// one from the server's own host (whatever the scheme, so that a TLS-terminating proxy does not hide it), or one
    /// from an allowed origin.
    /// </summary>
    public bool Allows(HttpRequest request)
    {
        StringValues origins = request.Headers.Origin;
        if (origins.Count == 0)
        {
            return true;
        }

        if (origins.Count > 1 || origins[0] is not { Length: > 0 } origin)
        {
            return false;
        }

        return IsSameHost(origin, request.Host) || (Policy is { } policy && (policy.AllowAnyOrigin || policy.IsOriginAllowed(origin)));
    }

    private static bool IsSameHost(string origin, HostString host) =>
        host.HasValue
        && Uri.TryCreate(origin, UriKind.Absolute, out Uri? uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && string.Equals(uri.Host, host.Host, StringComparison.OrdinalIgnoreCase)
        && (host.Port is { } port ? uri.Port == port : uri.IsDefaultPort);
}

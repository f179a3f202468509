using Concord.Server.Cors;
using Concord.Server.Endpoints;
using Concord.Server.Realtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Concord sync API.</summary>
public static class ConcordEndpointRouteBuilderExtensions
{
    private static readonly string[] OtherThanPost = ["GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
    private static readonly string[] OtherThanGet = ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

    /// <summary>
    /// Maps <c>POST push</c>, <c>POST pull</c>, <c>GET sync.json</c>, <c>GET stats</c>, the WebSocket <c>GET ws</c> and the
    /// server-sent events <c>GET events</c> under <paramref name="basePath"/>, and the workspace endpoints under
    /// <paramref name="workspacesPath"/>; anything else under them answers a <c>SYNC:*</c> error. The returned builder
    /// applies to both (<c>RequireAuthorization</c>, …). When <c>Cors.AllowedOrigins</c> lists origins, the endpoints
    /// carry that CORS policy, and the app must call <c>app.UseCors()</c> (after routing, before the endpoints;
    /// ASP.NET Core refuses to run them otherwise).
    /// </summary>
    /// <example><code>
    /// var app = builder.Build();
    /// app.UseCors();
    /// app.MapConcord("/api/sync").RequireAuthorization();
    /// </code></example>
    public static IEndpointConventionBuilder MapConcord(this IEndpointRouteBuilder endpoints, string basePath = "/api/sync", string workspacesPath = "/api/workspaces")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        RouteGroupBuilder root = endpoints.MapGroup(string.Empty);
        Concord.Server.Workspaces.WorkspaceEndpoints.Map(root.MapGroup(workspacesPath));
        RouteGroupBuilder group = root.MapGroup(basePath);
        group.MapPost("/push", SyncEndpoints.PushAsync);
        group.MapPost("/pull", SyncEndpoints.PullAsync);
        group.MapGet("/sync.json", SyncEndpoints.DescribeAsync);
        group.MapGet("/stats", SyncEndpoints.StatsAsync);

        // The WebSocket middleware only for this endpoint, so that the app need not add it to its own pipeline.
        IApplicationBuilder webSocket = endpoints.CreateApplicationBuilder();
        webSocket.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        webSocket.Run(RealtimeEndpoints.WebSocketAsync);
        group.MapGet("/ws", webSocket.Build());
        group.MapGet("/events", RealtimeEndpoints.EventsAsync);
        group.MapMethods("/push", OtherThanPost, SyncEndpoints.MethodNotAllowedAsync);
        group.MapMethods("/pull", OtherThanPost, SyncEndpoints.MethodNotAllowedAsync);
        group.MapMethods("/sync.json", OtherThanGet, SyncEndpoints.MethodNotAllowedAsync);
        group.MapMethods("/stats", OtherThanGet, SyncEndpoints.MethodNotAllowedAsync);
        group.MapMethods("/ws", OtherThanGet, SyncEndpoints.MethodNotAllowedAsync);
        group.MapMethods("/events", OtherThanGet, SyncEndpoints.MethodNotAllowedAsync);
        group.MapFallback(SyncEndpoints.NotFoundAsync);

        // With the policy on every endpoint, a preflight (OPTIONS with Access-Control-Request-Method) is routed to the
        // endpoint of the method it asks about and answered by the CORS middleware; a plain OPTIONS still gets 405.
        if (endpoints.ServiceProvider.GetRequiredService<CrossOriginPolicy>().Policy is { } cors)
        {
            root.WithMetadata(new CorsPolicyMetadata(cors));
        }

        return root;
    }
}

using Concord.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Concord.Testing;

/// <summary>A real Kestrel server on 127.0.0.1 with a free port and a SQLite file, in this process.</summary>
public sealed class ConcordTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ConcordTestServer(WebApplication app, Uri root, string databasePath)
    {
        _app = app;
        Root = root;
        DatabasePath = databasePath;
        Http = new HttpClient { BaseAddress = root };
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Root { get; }

    /// <summary>The sync API's base, <c>{Root}api/sync/</c>.</summary>
    public Uri SyncUri => new(Root, "api/sync/");

    public string DatabasePath { get; }

    /// <summary>An HTTP client whose base address is <see cref="Root"/>.</summary>
    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="databasePath">The SQLite file.</param>
    /// <param name="configure">Server settings.</param>
    /// <param name="services">More services (an authentication scheme, say).</param>
    /// <param name="endpoints">Conventions for the mapped endpoints (<c>RequireAuthorization</c>, say).</param>
    public static async Task<ConcordTestServer> StartAsync(string databasePath, Action<ConcordServerOptions>? configure = null, Action<IServiceCollection>? services = null, Action<IEndpointConventionBuilder>? endpoints = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddConcord(configure).AddSqliteStore(databasePath);
        services?.Invoke(builder.Services);
        WebApplication app = builder.Build();
        IEndpointConventionBuilder concord = app.MapConcord("/api/sync");
        endpoints?.Invoke(concord);
        app.MapHealthChecks("/health");
        await app.StartAsync().ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ConcordTestServer(app, new Uri(address.TrimEnd('/') + "/"), databasePath);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

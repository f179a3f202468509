using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Concord.Cli.Tests;

/// <summary>
/// An OpenID Connect authority on 127.0.0.1 (a free port, plain HTTP), in the test's own process: its discovery
/// document at <c>/.well-known/openid-configuration</c> and its keys at <c>/jwks.json</c>, which a test may replace.
/// </summary>
internal sealed class LoopbackAuthority : IAsyncDisposable
{
    private readonly WebApplication _app;
    private string _jwks;
    private int _jwksRequests;

    private LoopbackAuthority(WebApplication app, string jwks)
    {
        _app = app;
        _jwks = jwks;
    }

    /// <summary>The authority's URL and issuer, <c>http://127.0.0.1:{port}</c>.</summary>
    public string Issuer { get; private set; } = string.Empty;

    /// <summary>Where its JWKS document is.</summary>
    public string JwksUrl => Issuer + "/jwks.json";

    /// <summary>How many times its JWKS document was asked for.</summary>
    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    public static async Task<LoopbackAuthority> StartAsync(string jwks)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var authority = new LoopbackAuthority(app, jwks);
        app.MapGet("/.well-known/openid-configuration", () => Results.Text(JsonSerializer.Serialize(new { issuer = authority.Issuer, jwks_uri = authority.JwksUrl }), "application/json"));
        app.MapGet("/jwks.json", () =>
        {
            Interlocked.Increment(ref authority._jwksRequests);
            return Results.Text(Volatile.Read(ref authority._jwks), "application/json");
        });
        await app.StartAsync().ConfigureAwait(false);
        authority.Issuer = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return authority;
    }

    /// <summary>Serves <paramref name="jwks"/> from now on, as an authority does when it rotates its keys.</summary>
    public void Publish(string jwks) => Volatile.Write(ref _jwks, jwks);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

using Concord.Clock;
using Concord.Server;
using Concord.Server.Diagnostics;
using Concord.Server.Endpoints;
using Concord.Server.Merging;
using Concord.Server.Realtime;
using Concord.Server.Storage;
using Concord.Server.Sync;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Concord server.</summary>
public static class ConcordServiceCollectionExtensions
{
    /// <summary>Adds the sync server's services. Add a store on the returned builder.</summary>
    /// <example><code>
    /// builder.Services.AddConcord(o => o.MaxClockDrift = TimeSpan.FromSeconds(30))
    ///     .AddSqliteStore("concord.db");
    /// </code></example>
    public static IConcordServerBuilder AddConcord(this IServiceCollection services, Action<ConcordServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<ConcordServerOptions> options = services.AddOptions<ConcordServerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o =>
        {
            o.Validate();
            return true;
        }).ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            ConcordServerOptions o = sp.GetRequiredService<IOptions<ConcordServerOptions>>().Value;
            return new HybridLogicalClock(o.NodeId, sp.GetRequiredService<TimeProvider>(), o.MaxClockDrift);
        });
        services.TryAddSingleton<IChangeMerger, CollectionMerger>();
        services.TryAddSingleton<Concord.Server.Auth.IConcordPrincipalMapper, Concord.Server.Auth.ClaimsPrincipalMapper>();
        services.TryAddSingleton<Concord.Server.Workspaces.IWorkspaceStore, Concord.Server.Workspaces.InMemoryWorkspaceStore>();
        services.TryAddSingleton<Concord.Server.Auth.WorkspaceAccess>();
        services.TryAddSingleton<Concord.Server.RateLimiting.RequestRateLimiter>();
        services.AddCors();
        services.TryAddSingleton<Concord.Server.Cors.CrossOriginPolicy>();
        services.TryAddSingleton<ConnectionQuota>();
        services.TryAddSingleton<ProtocolCodecs>();
        services.AddMetrics();
        services.TryAddSingleton<ConcordServerMetrics>();
        services.TryAddSingleton<RealtimeContext>();
        services.TryAddSingleton<ChangeFeed>();
        services.TryAddSingleton<RealtimeMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<RealtimeMonitor>());
        services.TryAddSingleton<PushHandler>();
        services.TryAddSingleton<PullHandler>();
        services.TryAddSingleton(sp => new ConcordServer(
            sp.GetRequiredService<Concord.Server.Auth.WorkspaceAccess>(),
            sp.GetRequiredService<PushHandler>(),
            sp.GetRequiredService<PullHandler>(),
            sp.GetRequiredService<HybridLogicalClock>()));
        services.AddHostedService<SyncStoreInitializer>();
        services.AddHealthChecks().AddCheck<SyncStoreHealthCheck>("concord-store");
        return new ConcordServerBuilder(services);
    }

    /// <summary>Adds the sync server's services, with settings read from <paramref name="configuration"/> (see <see cref="ConcordConfiguration"/>), then <paramref name="configure"/>.</summary>
    /// <example><code>
    /// builder.Services.AddConcord(builder.Configuration.GetSection("Concord")).AddSqliteStore("concord.db");
    /// </code></example>
    public static IConcordServerBuilder AddConcord(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration, Action<ConcordServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddConcord(o =>
        {
            o.Bind(configuration);
            configure?.Invoke(o);
        });
    }

    private sealed class ConcordServerBuilder(IServiceCollection services) : IConcordServerBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}

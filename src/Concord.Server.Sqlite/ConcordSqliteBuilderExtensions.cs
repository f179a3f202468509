using Concord.Server;
using Concord.Server.Sqlite;
using Concord.Server.Storage;
using Concord.Server.Workspaces;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the SQLite store to a Concord server.</summary>
public static class ConcordSqliteBuilderExtensions
{
    /// <summary>Keeps everything in one SQLite file: records, and workspaces with their members.</summary>
    /// <example><code>builder.Services.AddConcord().AddSqliteStore("data/concord.db");</code></example>
    public static IConcordServerBuilder AddSqliteStore(this IConcordServerBuilder builder, string path) =>
        builder.AddSqliteStore(o => o.Path = path);

    /// <summary>Keeps everything in one SQLite file, configured by <paramref name="configure"/>.</summary>
    public static IConcordServerBuilder AddSqliteStore(this IConcordServerBuilder builder, Action<SqliteStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure(configure);
        builder.Services.TryAddSingleton<SqliteSyncStore>();
        builder.Services.TryAddSingleton<ISyncStore>(sp => sp.GetRequiredService<SqliteSyncStore>());
        builder.Services.Replace(ServiceDescriptor.Singleton<IWorkspaceStore, SqliteWorkspaceStore>());
        return builder;
    }
}

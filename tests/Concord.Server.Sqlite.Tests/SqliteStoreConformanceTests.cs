using Concord.Server.Sqlite;
using Concord.Server.Storage;
using Concord.Testing;
using Microsoft.Extensions.Options;

namespace Concord.Server.Sqlite.Tests;

/// <summary>The shared store suite against real SQLite files.</summary>
public sealed class SqliteStoreConformanceTests : SyncStoreConformanceTests, IDisposable
{
    private readonly TempDirectory _folder = new();

    protected override async Task<ISyncStore> CreateStoreAsync(string name)
    {
        var store = new SqliteSyncStore(Options.Create(new SqliteStoreOptions { Path = _folder.File(name + ".db") }), TimeProvider.System);
        await store.InitializeAsync();
        return store;
    }

    protected override ValueTask CloseStoreAsync(ISyncStore store) => ((SqliteSyncStore)store).DisposeAsync();

    public void Dispose() => _folder.Dispose();
}

using Concord.Server.Sqlite;
using Concord.Server.Workspaces;
using Concord.Testing;
using Microsoft.Extensions.Options;

namespace Concord.Server.Sqlite.Tests;

/// <summary>The shared workspace store suite against a real SQLite file, reopened as a new process would.</summary>
public sealed class SqliteWorkspaceStoreConformanceTests : WorkspaceStoreConformanceTests, IDisposable
{
    private readonly TempDirectory _folder = new();

    protected override async Task<IWorkspaceStore> CreateStoreAsync()
    {
        var store = new SqliteWorkspaceStore(Options.Create(new SqliteStoreOptions { Path = _folder.File("workspaces.db") }));
        await store.InitializeAsync();
        return store;
    }

    protected override Task<IWorkspaceStore> ReopenAsync(IWorkspaceStore store) => CreateStoreAsync();

    public void Dispose() => _folder.Dispose();
}

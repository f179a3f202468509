using Concord.Server.Workspaces;
using Concord.Testing;

namespace Concord.Server.Tests;

/// <summary>The shared workspace store suite against the in-process store.</summary>
public sealed class InMemoryWorkspaceStoreConformanceTests : WorkspaceStoreConformanceTests
{
    protected override Task<IWorkspaceStore> CreateStoreAsync() => Task.FromResult<IWorkspaceStore>(new InMemoryWorkspaceStore());

    protected override Task<IWorkspaceStore> ReopenAsync(IWorkspaceStore store) => Task.FromResult(store);
}

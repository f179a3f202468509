using Concord.Testing;

namespace Concord.Server.Tests;

/// <summary>One real server with small limits, shared by the hostile-input tests of a class.</summary>
public sealed class HostileServerFixture : IAsyncLifetime
{
    public const int MaxBodyBytes = 64 * 1024;
    public const int MaxBatchChanges = 50;
    public const int MaxFields = 20;
    public const int MaxDepth = 4;

    private readonly TempDirectory _folder = new();

    public ConcordTestServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await ConcordTestServer.StartAsync(_folder.File("hostile.db"), o => o.Limits = o.Limits with
        {
            MaxBodyBytes = MaxBodyBytes,
            MaxBatchChanges = MaxBatchChanges,
            MaxFieldsPerRecord = MaxFields,
            MaxNestingDepth = MaxDepth,
        });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _folder.Dispose();
    }
}

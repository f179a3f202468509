using Concord.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Concord.Client.Tests;

/// <summary>A server, a folder and clients for one test; everything is closed at the end.</summary>
public sealed class ClientFixture : IAsyncLifetime
{
    public TempDirectory Folder { get; } = new();

    public ConcordTestServer Server { get; private set; } = null!;

    public TestClients Clients { get; private set; } = null!;

    /// <summary>A wall clock a little behind real time, so each client's writes can be ordered on purpose.</summary>
    public static FakeTimeProvider ClockAt(TimeSpan behindNow) => new(DateTimeOffset.UtcNow - behindNow);

    public async Task InitializeAsync()
    {
        Server = await ConcordTestServer.StartAsync(Folder.File("server.db"));
        Clients = new TestClients(Folder);
    }

    public async Task DisposeAsync()
    {
        await Clients.DisposeAsync();
        await Server.DisposeAsync();
        Folder.Dispose();
    }

    /// <summary>Opens a client against the test server whose clock runs <paramref name="behindNow"/> behind real time.</summary>
    public Task<ConcordClient> ClientAsync(string name, TimeSpan? behindNow = null) =>
        Clients.OpenAsync(name, Server.SyncUri, o => o with { TimeProvider = behindNow is { } b ? ClockAt(b) : TimeProvider.System });
}

namespace Concord.Testing;

/// <summary>One <c>concord serve</c> process shared by a test class, on a file of its own.</summary>
public sealed class ServerProcessFixture : IAsyncLifetime
{
    public TempDirectory Folder { get; } = new();

    public ServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ServerProcess.StartAsync(Folder.File("server.db"));

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Folder.Dispose();
    }
}

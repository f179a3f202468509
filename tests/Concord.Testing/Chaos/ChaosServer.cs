namespace Concord.Testing.Chaos;

/// <summary>The server process of a chaos run and the fault proxy in front of it.</summary>
public sealed class ChaosServer : IAsyncDisposable
{
    /// <summary>The collection every chaos client writes, with one field of each CRDT type.</summary>
    public const string Collection = "chaos";

    private ChaosServer(ServerProcess process, FaultProxy proxy)
    {
        Process = process;
        Proxy = proxy;
    }

    public ServerProcess Process { get; private set; }

    public FaultProxy Proxy { get; }

    /// <summary>Faults injected besides the proxy's own counts (partitions, kills).</summary>
    public int Faults { get; set; }

    public int Kills { get; private set; }

    public static async Task<ChaosServer> StartAsync(string databasePath, int seed)
    {
        var environment = new Dictionary<string, string>
        {
            [$"Concord__Collections__{Collection}__Fields__count"] = "counter",
            [$"Concord__Collections__{Collection}__Fields__tags"] = "set",
            [$"Concord__Collections__{Collection}__Fields__body"] = "text",
        };
        ServerProcess process = await ServerProcess.StartAsync(databasePath, environment, new Uri("http://127.0.0.1:0")).ConfigureAwait(false);

        // Restarts bind the same port, so the proxy never needs to learn a new one.
        return new ChaosServer(process, new FaultProxy(process.Root, seed));
    }

    public async Task KillAndRestartAsync()
    {
        await Process.KillAsync().ConfigureAwait(false);
        Kills++;
        Faults++;
        Process = await Process.RestartAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync().ConfigureAwait(false);
        await Process.DisposeAsync().ConfigureAwait(false);
    }
}

namespace Concord.Testing.Chaos;

/// <summary>
/// One kind of trouble a chaos run puts between its clients and the server. <see cref="Begin"/> turns the faults on
/// when the writes start; <see cref="During"/> runs beside the writes (a partition, a server killed and restarted).
/// </summary>
public sealed record ChaosProfile(string Name, Action<FaultProxy> Begin, Func<ChaosServer, TimeSpan, CancellationToken, Task>? During = null)
{
    /// <summary>Every profile the chaos suite runs, in order.</summary>
    public static IReadOnlyList<ChaosProfile> All { get; } =
    [
        Drops(0.05),
        Drops(0.10),
        Drops(0.25),
        Latency(TimeSpan.FromMilliseconds(50)),
        Latency(TimeSpan.FromMilliseconds(500)),
        Latency(TimeSpan.FromSeconds(2)),
        new("partition then heal", _ => { }, PartitionAsync),
        new("server SIGKILL and restart", _ => { }, KillAsync),
    ];

    public static ChaosProfile Named(string name) =>
        All.FirstOrDefault(p => p.Name == name) ?? throw new ArgumentException($"No chaos profile '{name}'; there are: {string.Join(", ", All.Select(p => p.Name))}.", nameof(name));

    public override string ToString() => Name;

    /// <summary>A share of chunks reset their connection, and a quarter as many are cut in half first.</summary>
    private static ChaosProfile Drops(double rate) => new($"{rate:P0} connection drops", proxy =>
    {
        proxy.ResetRate = rate;
        proxy.CutRate = rate / 4;
    });

    private static ChaosProfile Latency(TimeSpan latency) => new($"{latency.TotalMilliseconds:N0} ms latency", proxy =>
    {
        proxy.Latency = latency;
        proxy.Jitter = latency / 2;
    });

    /// <summary>Cuts the network for the middle half of the writes (long enough for heartbeats to give up), then heals it.</summary>
    private static async Task PartitionAsync(ChaosServer server, TimeSpan writing, CancellationToken cancellationToken)
    {
        await Task.Delay(writing / 4, cancellationToken).ConfigureAwait(false);
        server.Proxy.Partition();
        server.Faults++;
        await Task.Delay(writing / 2, cancellationToken).ConfigureAwait(false);
        server.Proxy.Heal();
    }

    /// <summary>Kills the server with SIGKILL twice while clients push, restarting it each time on the same address and file.</summary>
    private static async Task KillAsync(ChaosServer server, TimeSpan writing, CancellationToken cancellationToken)
    {
        for (int i = 1; i <= 2; i++)
        {
            await Task.Delay(writing / 3, cancellationToken).ConfigureAwait(false);
            await server.KillAndRestartAsync().ConfigureAwait(false);
        }
    }
}

namespace Concord.RealtimeBench;

/// <summary>How much of each measurement one run does; <c>--quick</c> makes every phase shorter.</summary>
internal sealed record BenchSettings
{
    /// <summary>Receiver counts of the fan-out rows.</summary>
    public IReadOnlyList<int> Receivers { get; init; } = [100, 1000, 2000];

    /// <summary>Fewest paced writes before the measured ones, so that both servers run compiled, warm code.</summary>
    public int WarmupWrites { get; init; } = 100;

    /// <summary>
    /// Shortest warm-up: a fresh .NET server keeps recompiling its hot methods (tiered compilation) for seconds after
    /// their first calls, and V8 does the same; measured before that is done, the compiler's CPU counts as the server's.
    /// </summary>
    public TimeSpan WarmupTime { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the measured paced writes go on; every delivery of theirs is timed.</summary>
    public TimeSpan MeasuredTime { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Fewest measured writes, whatever the interval.</summary>
    public int MinMeasuredWrites { get; init; } = 60;

    /// <summary>Shortest time between two paced writes.</summary>
    public TimeSpan MinWriteInterval { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// Deliveries per second the paced writes ask for at most. Far below either server's saturation on a small
    /// machine (the slower one, with its clients beside it, delivers some 25,000/s on two shared cores), so that
    /// latency is the path of one write, not a queue.
    /// </summary>
    public int PacedDeliveriesPerSecond { get; init; } = 10_000;

    /// <summary>How long the writer sends as fast as deliveries allow.</summary>
    public TimeSpan SaturationTime { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Writes in flight at saturation (sent, not yet at every receiver): the writer pipelines up to this many.</summary>
    public int SaturationWindow { get; init; } = 128;

    /// <summary>Most writes at saturation; the Yjs updates are made in advance for this many.</summary>
    public int MaxSaturationWrites { get; init; } = 40_000;

    /// <summary>Idle, handshaken connections held open to measure the server's memory per connection.</summary>
    public int IdleConnections { get; init; } = 10_000;

    /// <summary>How long the idle connections stay open after their measurement; zero but to look at the server with other tools.</summary>
    public TimeSpan HoldIdle { get; init; } = TimeSpan.Zero;

    /// <summary>Environment variables for the Concord server only (<c>--concord-env NAME=VALUE</c>, repeatable): runtime settings to compare.</summary>
    public IReadOnlyDictionary<string, string> ConcordEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Changes timed from one client to another, after as many again as warm-up.</summary>
    public int ClientChanges { get; init; } = 200;

    /// <summary>How long a measured delivery may take before it counts as lost.</summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Time between two paced writes to <paramref name="receivers"/> receivers.</summary>
    public TimeSpan WriteInterval(int receivers) =>
        TimeSpan.FromTicks(Math.Max(MinWriteInterval.Ticks, TimeSpan.TicksPerSecond * receivers / PacedDeliveriesPerSecond));

    /// <summary>Paced writes of warm-up before those to <paramref name="receivers"/> receivers are measured.</summary>
    public int WarmupWritesFor(int receivers) => Math.Max(WarmupWrites, (int)(WarmupTime / WriteInterval(receivers)));

    /// <summary>Measured paced writes to <paramref name="receivers"/> receivers.</summary>
    public int MeasuredWrites(int receivers) => Math.Max(MinMeasuredWrites, (int)(MeasuredTime / WriteInterval(receivers)));

    public static BenchSettings From(string[] args)
    {
        var settings = new BenchSettings();
        if (args.Contains("--quick"))
        {
            settings = settings with { WarmupWrites = 60, WarmupTime = TimeSpan.FromSeconds(3), MeasuredTime = TimeSpan.FromSeconds(4), MinMeasuredWrites = 30, SaturationTime = TimeSpan.FromSeconds(2), ClientChanges = 50 };
        }

        if (Option(args, "--receivers") is { } receivers)
        {
            settings = settings with { Receivers = receivers.Split(',').Select(r => int.Parse(r, System.Globalization.CultureInfo.InvariantCulture)).ToArray() };
        }

        if (Option(args, "--hold-idle") is { } hold)
        {
            settings = settings with { HoldIdle = TimeSpan.FromSeconds(double.Parse(hold, System.Globalization.CultureInfo.InvariantCulture)) };
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--concord-env" && args[i + 1].Split('=', 2) is [var name, var value])
            {
                environment[name] = value;
            }
        }

        return settings with { ConcordEnvironment = environment };
    }

    public static string? Option(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
}

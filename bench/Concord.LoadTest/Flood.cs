using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Concord.LoadTest;

/// <summary>
/// Tenant isolation under a flood: on one server with HS256 tokens and a per-user rate limit, the push latency of a
/// user of tenant G, unloaded and while a user of tenant F floods push from several connections, in a process of its
/// own, ignoring every refusal. The two conditions alternate, half the pushes each time, so that a drift in what else
/// the machine is doing does not fall on one of them.
/// </summary>
internal static class Flood
{
    private const int UserRate = 50;
    private const int UserBurst = 50;

    /// <summary>G's pace: below its own limit, so that what is measured is G's latency, never G's own refusals.</summary>
    private const int GRate = 40;

    private const int FloodConnections = 8;

    /// <summary>How long the flood runs before G is measured: its process starts cold.</summary>
    private static readonly TimeSpan FloodRamp = TimeSpan.FromSeconds(3);

    public static async Task<Table> RunAsync(string folder, bool quick)
    {
        string load = TimedPush.LoadAverage();
        int pushes = quick ? 400 : 2000;
        const int Rounds = 2;
        await using ServerUnderTest server = await ServerUnderTest.StartAsync(Path.Combine(folder, "flood.db"), [
            .. AccessTokens.ServeArguments,
            $"--Concord:RateLimits:UserRequestsPerSecond={UserRate}",
            $"--Concord:RateLimits:UserBurst={UserBurst}",
        ]);
        using HttpClient g = AccessTokens.Client(server.SyncUri, AccessTokens.Create("g-user", "tenant-g"));
        string floodToken = AccessTokens.Create("f-flooder", "tenant-f");

        // Warm, as a server runs: many users, each within its burst, then G at its pace.
        AnsiConsole.MarkupLine("[grey]flood: warming up[/]");
        for (int u = 0; u < (quick ? 10 : 40); u++)
        {
            using HttpClient warm = AccessTokens.Client(server.SyncUri, AccessTokens.Create($"warm-{u}", "tenant-w"));
            foreach (byte[] body in Workload.PushBodies(UserBurst - 5, 1, true, $"warm{u}"))
            {
                await TimedPush.PostAsync(warm, body);
            }
        }

        await PacedAsync(g, GRate * (quick ? 2 : 5), "g-warm");

        var unloaded = new List<double>();
        var flooded = new List<double>();
        int unloadedFailures = 0, floodedFailures = 0;
        var flood = new FloodFigures(0, 0, 0, 0);
        for (int round = 0; round < Rounds; round++)
        {
            AnsiConsole.MarkupLine($"[grey]flood: round {round + 1} of {Rounds}, unloaded[/]");
            (double[] latencies, int failures) = await PacedAsync(g, pushes / Rounds, $"g-quiet{round}");
            unloaded.AddRange(latencies);
            unloadedFailures += failures;

            AnsiConsole.MarkupLine($"[grey]flood: round {round + 1} of {Rounds}, under flood[/]");
            await using Flooder flooder = await Flooder.StartAsync(server.SyncUri, floodToken, FloodConnections);
            await Task.Delay(FloodRamp);
            await flooder.MarkAsync();
            (latencies, failures) = await PacedAsync(g, pushes / Rounds, $"g-flood{round}");
            FloodFigures figures = await flooder.StopAsync();
            flooded.AddRange(latencies);
            floodedFailures += failures;
            flood = new FloodFigures(flood.Accepted + figures.Accepted, flood.Refused + figures.Refused, flood.Other + figures.Other, flood.Seconds + figures.Seconds);

            // Let the server finish with what the flood left behind.
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        double[] quiet = [.. unloaded], busy = [.. flooded];
        double q50 = TimedPush.Percentile(quiet, 0.5), q99 = TimedPush.Percentile(quiet, 0.99);
        double b50 = TimedPush.Percentile(busy, 0.5), b99 = TimedPush.Percentile(busy, 0.99);
        string PerSecond(long count) => $"{count:N0} ({count / flood.Seconds:N0}/s)";
        return new Table()
            .Title($"Tenant isolation under a flood (one server, HS256 tokens, {UserRate} requests/s per user, burst {UserBurst}; {Rounds} alternating rounds)")
            .Caption(load)
            .AddColumns("measurement", "unloaded", "under flood", "ratio", "target")
            .AddRow($"tenant G: 1 change a push, one at a time, {GRate}/s, {pushes:N0} pushes each: p50", TimedPush.Ms(q50), TimedPush.Ms(b50), $"{b50 / q50:N2}x", string.Empty)
            .AddRow("tenant G: p99", TimedPush.Ms(q99), TimedPush.Ms(b99), $"{b99 / q99:N2}x", "within 2x")
            .AddRow("tenant G: pushes refused or failed", $"{unloadedFailures:N0}", $"{floodedFailures:N0}", string.Empty, "0")
            .AddRow($"tenant F: 1 change a push, {FloodConnections} connections in another process, no back-off, {flood.Seconds:N0} s: accepted (200)", string.Empty, PerSecond(flood.Accepted), string.Empty, $"about {UserRate}/s")
            .AddRow("tenant F: refused (429)", string.Empty, PerSecond(flood.Refused), string.Empty, string.Empty)
            .AddRow("tenant F: other answers and errors", string.Empty, PerSecond(flood.Other), string.Empty, string.Empty);
    }

    /// <summary>
    /// The flooding process: pushes from <paramref name="connections"/> connections as fast as answers come, whatever they
    /// say, until told to stop on its standard input; "mark" there starts the count again. Prints what it was answered.
    /// </summary>
    public static async Task<int> ClientAsync(Uri server, string token, int connections)
    {
        using var stop = new CancellationTokenSource();
        long accepted = 0, refused = 0, other = 0;
        Task[] loops = [.. Enumerable.Range(0, connections).Select(c => Task.Run(async () =>
        {
            List<byte[]> bodies = Workload.PushBodies(2000, 1, true, $"flood{c}");
            using HttpClient http = AccessTokens.Client(server, token);
            int next = 0;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    // A refused change is sent again, so that every accepted one is new: the most work the server can be made to do.
                    (_, int status) = await TimedPush.PostAsync(http, bodies[next % bodies.Count], stop.Token);
                    if (status == 200)
                    {
                        Interlocked.Increment(ref accepted);
                        next++;
                    }
                    else if (status == 429)
                    {
                        Interlocked.Increment(ref refused);
                    }
                    else
                    {
                        Interlocked.Increment(ref other);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref other);
                }
            }
        }))];

        Console.WriteLine("flooding");
        long marked = Stopwatch.GetTimestamp();
        while (await Console.In.ReadLineAsync() is { } line && line != "stop")
        {
            if (line == "mark")
            {
                Interlocked.Exchange(ref accepted, 0);
                Interlocked.Exchange(ref refused, 0);
                Interlocked.Exchange(ref other, 0);
                marked = Stopwatch.GetTimestamp();
            }
        }

        var figures = new FloodFigures(Interlocked.Read(ref accepted), Interlocked.Read(ref refused), Interlocked.Read(ref other), Stopwatch.GetElapsedTime(marked).TotalSeconds);
        await stop.CancelAsync();
        await Task.WhenAll(loops);
        Console.WriteLine(JsonSerializer.Serialize(figures, JsonSerializerOptions.Web));
        return 0;
    }

    /// <summary>G's pushes of one change each, one at a time, started <see cref="GRate"/> a second: the latencies of those accepted, and how many were not.</summary>
    private static async Task<(double[] Latencies, int Failures)> PacedAsync(HttpClient http, int pushes, string tag)
    {
        List<byte[]> bodies = Workload.PushBodies(pushes, 1, true, tag);
        var latencies = new List<double>(pushes);
        int failures = 0;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < pushes; i++)
        {
            TimeSpan due = TimeSpan.FromSeconds((double)i / GRate) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }

            (double ms, int status) = await TimedPush.PostAsync(http, bodies[i]);
            if (status == 200)
            {
                latencies.Add(ms);
            }
            else
            {
                failures++;
            }
        }

        return ([.. latencies], failures);
    }

    /// <summary>The flooding process, seen from the load test.</summary>
    private sealed class Flooder(Process process) : IAsyncDisposable
    {
        public static async Task<Flooder> StartAsync(Uri syncUri, string token, int connections)
        {
            string self = Environment.ProcessPath!;
            string[] childArgs = ["flood-client", syncUri.ToString(), token, connections.ToString(CultureInfo.InvariantCulture)];
            ProcessStartInfo info = self.EndsWith("dotnet", StringComparison.Ordinal)
                ? new ProcessStartInfo(self, [typeof(Flood).Assembly.Location, .. childArgs])
                : new ProcessStartInfo(self, childArgs);
            info.RedirectStandardInput = true;
            info.RedirectStandardOutput = true;
            info.Environment["DOTNET_gcServer"] = "0";
            var flooder = new Flooder(Process.Start(info)!);
            if (await flooder.Output.ReadLineAsync() != "flooding")
            {
                await flooder.DisposeAsync();
                throw new InvalidOperationException("The flooding process did not start.");
            }

            return flooder;
        }

        private StreamReader Output => process.StandardOutput;

        public async Task MarkAsync()
        {
            await process.StandardInput.WriteLineAsync("mark");
            await process.StandardInput.FlushAsync();
        }

        public async Task<FloodFigures> StopAsync()
        {
            await process.StandardInput.WriteLineAsync("stop");
            await process.StandardInput.FlushAsync();
            string output = await Output.ReadToEndAsync();
            await process.WaitForExitAsync();
            return JsonSerializer.Deserialize<FloodFigures>(output.Trim().Split('\n')[^1], JsonSerializerOptions.Web)!;
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }
}

/// <summary>What the flooding process was answered: accepted (200), refused (429), anything else, over how long.</summary>
internal sealed record FloodFigures(long Accepted, long Refused, long Other, double Seconds);

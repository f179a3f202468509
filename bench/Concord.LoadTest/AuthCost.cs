using System.Diagnostics;
using Spectre.Console;

namespace Concord.LoadTest;

/// <summary>
/// What authentication and rate limiting cost a push: the same workload against an open server, one requiring HS256
/// tokens, and one requiring them with rate limits too high to refuse anything, all three running at once, each on a
/// fresh SQLite file. Rounds go through the three in turn (in a rotated order, so that none always comes first or
/// last), and each figure is the median of the rounds, so that noise on a shared machine favours none of them.
/// </summary>
internal static class AuthCost
{
    private const int Clients = 4;

    /// <summary>High enough that no request is refused: only the buckets' bookkeeping shows.</summary>
    private const int UnreachableRate = 1_000_000;

    private static readonly int[] BatchSizes = [1, 100];

    public static async Task<Table> RunAsync(string folder, bool quick)
    {
        string load = TimedPush.LoadAverage();
        int rounds = quick ? 3 : 7;
        TimeSpan warmupPerServer = TimeSpan.FromSeconds(quick ? 3 : 10);
        int RequestsPerClient(int batch) => batch == 1 ? (quick ? 300 : 2000) : (quick ? 30 : 200);

        Variant[] variants =
        [
            new("open (no authentication)", [], Tokens: false),
            new("JWT (HS256 bearer token)", AccessTokens.ServeArguments, Tokens: true),
            new($"JWT + rate limits ({UnreachableRate:N0}/s)", [
                .. AccessTokens.ServeArguments,
                $"--Concord:RateLimits:UserRequestsPerSecond={UnreachableRate}",
                $"--Concord:RateLimits:UserBurst={UnreachableRate}",
                $"--Concord:RateLimits:TenantRequestsPerSecond={UnreachableRate}",
                $"--Concord:RateLimits:TenantBurst={UnreachableRate}",
            ], Tokens: true),
        ];

        var servers = new List<ServerUnderTest>();
        var clients = new List<HttpClient[]>();
        try
        {
            for (int v = 0; v < variants.Length; v++)
            {
                ServerUnderTest server = await ServerUnderTest.StartAsync(Path.Combine(folder, $"auth-{v}.db"), variants[v].Arguments);
                servers.Add(server);

                // One user per client, all in one tenant, so the tenant's bucket is shared as it is in a team.
                clients.Add([.. Enumerable.Range(0, Clients).Select(c => AccessTokens.Client(server.SyncUri, variants[v].Tokens ? AccessTokens.Create($"user-{c}", "bench") : null))]);
            }

            // Warm, as a server runs: a fresh process runs cold code, and tiered compilation goes on for seconds after.
            AnsiConsole.MarkupLine($"[grey]auth: warming up {variants.Length} servers for {warmupPerServer.TotalSeconds:N0} s each[/]");
            for (var warming = Stopwatch.StartNew(); warming.Elapsed < warmupPerServer * variants.Length;)
            {
                for (int v = 0; v < variants.Length; v++)
                {
                    foreach (int batch in BatchSizes)
                    {
                        await SegmentAsync(clients[v], batch, Math.Max(1, RequestsPerClient(batch) / 10), $"warm{v}");
                    }
                }
            }

            var results = new Segment[variants.Length, BatchSizes.Length, rounds];
            for (int round = 0; round < rounds; round++)
            {
                AnsiConsole.MarkupLine($"[grey]auth: round {round + 1} of {rounds}[/]");
                for (int b = 0; b < BatchSizes.Length; b++)
                {
                    for (int k = 0; k < variants.Length; k++)
                    {
                        int v = (k + round) % variants.Length;
                        results[v, b, round] = await SegmentAsync(clients[v], BatchSizes[b], RequestsPerClient(BatchSizes[b]), $"r{round}v{v}");
                    }
                }
            }

            return Report(variants, results, rounds, RequestsPerClient, load);
        }
        finally
        {
            foreach (HttpClient http in clients.SelectMany(c => c))
            {
                http.Dispose();
            }

            foreach (ServerUnderTest server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>Every client pushes <paramref name="requests"/> batches of <paramref name="batch"/> new changes, one after the other, all clients at once.</summary>
    private static async Task<Segment> SegmentAsync(HttpClient[] clients, int batch, int requests, string tag)
    {
        // Encoded before the clock starts, so that the client side costs nothing while the server is measured.
        List<byte[]>[] bodies = [.. Enumerable.Range(0, clients.Length).Select(c => Workload.PushBodies(requests, batch, true, $"{tag}c{c}"))];
        var latencies = new double[clients.Length][];
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients.Length).Select(c => Task.Run(async () =>
        {
            var own = new double[requests];
            for (int i = 0; i < requests; i++)
            {
                (double ms, int status) = await TimedPush.PostAsync(clients[c], bodies[c][i]);
                if (status != 200)
                {
                    // A refusal here would measure the refusal, not the bookkeeping.
                    throw new InvalidOperationException($"push answered {status}");
                }

                own[i] = ms;
            }

            latencies[c] = own;
        })));
        double seconds = watch.Elapsed.TotalSeconds;
        double[] all = [.. latencies.SelectMany(l => l)];
        return new Segment(clients.Length * requests * batch / seconds, TimedPush.Percentile(all, 0.5), TimedPush.Percentile(all, 0.99));
    }

    private static Table Report(Variant[] variants, Segment[,,] results, int rounds, Func<int, int> requestsPerClient, string load)
    {
        var table = new Table()
            .Title($"Cost of authentication and rate limits on push ({Clients} clients on loopback, each server on a fresh SQLite file; median of {rounds} interleaved rounds)")
            .Caption(load)
            .AddColumns("push", "server", "changes/s", "request p50", "request p99", "throughput vs open", "per round vs open: median (min-max)", "target");
        for (int b = 0; b < BatchSizes.Length; b++)
        {
            int batch = BatchSizes[b];
            double[] Rates(int v) => [.. Enumerable.Range(0, rounds).Select(r => results[v, b, r].ChangesPerSecond)];
            double open = TimedPush.Median(Rates(0));
            for (int v = 0; v < variants.Length; v++)
            {
                double rate = TimedPush.Median(Rates(v));
                double[] paired = [.. Enumerable.Range(0, rounds).Select(r => results[v, b, r].ChangesPerSecond / results[0, b, r].ChangesPerSecond)];
                table.AddRow(
                    v == 0 ? $"{Clients} x {requestsPerClient(batch):N0} batches of {batch}" : string.Empty,
                    variants[v].Name,
                    $"{rate:N0}/s",
                    TimedPush.Ms(TimedPush.Median(Enumerable.Range(0, rounds).Select(r => results[v, b, r].P50Ms))),
                    TimedPush.Ms(TimedPush.Median(Enumerable.Range(0, rounds).Select(r => results[v, b, r].P99Ms))),
                    v == 0 ? "100 %" : $"{rate / open:P1} (cost {1 - (rate / open):P1})",
                    v == 0 ? string.Empty : $"{TimedPush.Median(paired):P1} ({paired.Min():P1}-{paired.Max():P1})",
                    v == 0 ? string.Empty : "cost < 10 %");
            }
        }

        return table;
    }

    private sealed record Variant(string Name, string[] Arguments, bool Tokens);

    private sealed record Segment(double ChangesPerSecond, double P50Ms, double P99Ms);
}

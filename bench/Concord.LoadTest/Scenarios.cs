using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Concord.Client;
using Concord.Client.Collections;

namespace Concord.LoadTest;

/// <summary>The end-to-end measurements.</summary>
internal static class Scenarios
{
    private const int WarmupBatches = 50;

    private static readonly TimeSpan WarmupTime = TimeSpan.FromSeconds(10);

    // Tiered compilation of the write path goes on for seconds after the first writes.
    private static readonly TimeSpan LocalWarmupTime = TimeSpan.FromSeconds(5);

    // Pull code runs once per page, not per change: it takes longer for tiered compilation to finish with it.
    private static readonly TimeSpan PullWarmupTime = TimeSpan.FromSeconds(20);

    /// <summary>Pushes pre-encoded batches from <paramref name="clients"/> concurrent clients into a fresh server.</summary>
    public static async Task<(double ChangesPerSecond, double ServerPeakMb)> PushAsync(string folder, int clients, int batchSize, int totalChanges, bool timeOrdered)
    {
        await using ServerUnderTest server = await ServerUnderTest.StartAsync(Path.Combine(folder, $"push-{clients}-{batchSize}-{timeOrdered}.db"));
        int batchesPerClient = Math.Max(1, totalChanges / clients / batchSize);
        List<byte[]>[] bodies = Enumerable.Range(0, clients).Select(c => Workload.PushBodies(batchesPerClient, batchSize, timeOrdered, $"client{c}")).ToArray();
        HttpClient[] http = Enumerable.Range(0, clients).Select(_ => new HttpClient { BaseAddress = server.SyncUri }).ToArray();

        // A fresh server process runs cold code for its first seconds, and tiered compilation keeps
        // recompiling hot methods for several more (on two cores, that steals from the server itself).
        // Measure it warm, as a server runs. The warm-up writes a fixed set of records and then replays
        // it (decode, checks and lookups again, answered as duplicates) until the time is up: pushing
        // new records for all that time would leave the measured pushes landing in a store ten times
        // the size of the baseline's table, which measures the store's size, not the push path.
        List<byte[]> warmup = Workload.PushBodies(WarmupBatches, 1000, timeOrdered, "warmup");
        var warming = Stopwatch.StartNew();
        while (warming.Elapsed < WarmupTime)
        {
            foreach (byte[] body in warmup)
            {
                await PostAsync(http[0], body);
            }
        }

        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            foreach (byte[] body in bodies[c])
            {
                await PostAsync(http[c], body);
            }
        })));
        double rate = clients * batchesPerClient * batchSize / watch.Elapsed.TotalSeconds;
        foreach (HttpClient h in http)
        {
            h.Dispose();
        }

        return (rate, server.PeakMegabytes);
    }

    /// <summary>Seeds a server with <paramref name="records"/> records, then times a fresh client pulling them all, in its own process.</summary>
    public static async Task<PullFigures> PullAsync(string folder, int records)
    {
        await using ServerUnderTest server = await ServerUnderTest.StartAsync(Path.Combine(folder, "pull-server.db"));
        const int Seeders = 4, Batch = 1000;
        List<byte[]>[] bodies = Enumerable.Range(0, Seeders).Select(c => Workload.PushBodies(records / Seeders / Batch, Batch, true, $"seed{c}")).ToArray();
        await Task.WhenAll(bodies.Select(list => Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = server.SyncUri };
            foreach (byte[] body in list)
            {
                await PostAsync(http, body);
            }
        })));

        string self = Environment.ProcessPath!;
        string[] childArgs = ["pull-client", server.SyncUri.ToString(), Path.Combine(folder, "pull-client")];
        var info = self.EndsWith("dotnet", StringComparison.Ordinal)
            ? new ProcessStartInfo(self, [typeof(Scenarios).Assembly.Location, .. childArgs])
            : new ProcessStartInfo(self, childArgs);
        info.RedirectStandardOutput = true;
        info.Environment["DOTNET_gcServer"] = "0";
        using Process child = Process.Start(info)!;
        string output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        return JsonSerializer.Deserialize<PullFigures>(output.Trim().Split('\n')[^1], JsonSerializerOptions.Web)!;
    }

    /// <summary>
    /// The child side of <see cref="PullAsync"/>: a fresh client (new database) pulls everything, in JSON and
    /// in CBOR; what it cost. Pulls into throwaway databases first warm the process (and the server) up, as a
    /// long-running app is: the first is reported apart as the JIT-cold figure, and tiered compilation keeps
    /// recompiling the hot path for several seconds after it, so warming goes on for <see cref="PullWarmupTime"/>.
    /// </summary>
    public static async Task<int> PullClientAsync(Uri server, string dbPrefix)
    {
        var warming = Stopwatch.StartNew();
        double coldSeconds = 0;
        for (int round = 0; round < 4 || warming.Elapsed < PullWarmupTime; round++)
        {
            string throwaway = $"{dbPrefix}-warmup{round}.db";
            double seconds = await PullIntoFreshDatabaseAsync(server, throwaway, round % 2 == 0 ? ProtocolEncoding.Json : ProtocolEncoding.Cbor);
            coldSeconds = round == 0 ? seconds : coldSeconds;
            foreach (string file in Directory.GetFiles(Path.GetDirectoryName(throwaway)!, Path.GetFileName(throwaway) + "*"))
            {
                File.Delete(file);
            }
        }

        double json = await MedianPullAsync(server, dbPrefix + "-json", ProtocolEncoding.Json);
        double cbor = await MedianPullAsync(server, dbPrefix + "-cbor", ProtocolEncoding.Cbor);
        await using ConcordClient client = await ConcordClient.OpenAsync(new ConcordClientOptions { DatabasePath = dbPrefix + "-json-0.db" });
        int count = (int)await client.Collection<JsonElement>("bench").Query().CountAsync();
        var figures = new PullFigures(count, count / json, count / cbor, count / coldSeconds, PeakMemory.OfThisProcess());
        Console.WriteLine(JsonSerializer.Serialize(figures, JsonSerializerOptions.Web));
        return 0;
    }

    /// <summary>The median of three pulls, each into a fresh database: on two shared cores one run in a few is far off.</summary>
    private static async Task<double> MedianPullAsync(Uri server, string dbPrefix, ProtocolEncoding encoding)
    {
        var seconds = new double[3];
        for (int i = 0; i < seconds.Length; i++)
        {
            seconds[i] = await PullIntoFreshDatabaseAsync(server, $"{dbPrefix}-{i}.db", encoding);
        }

        Array.Sort(seconds);
        return seconds[1];
    }

    private static async Task<double> PullIntoFreshDatabaseAsync(Uri server, string db, ProtocolEncoding encoding)
    {
        await using ConcordClient client = await ConcordClient.OpenAsync(new ConcordClientOptions { DatabasePath = db, ServerUrl = server, Encoding = encoding });
        var watch = Stopwatch.StartNew();
        await client.SyncAsync();
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Local write latencies (µs) of <c>PutAsync</c> on a client with no server, warm: writes into a
    /// throwaway database come first, so that the measured one starts empty, as the baseline's does.
    /// </summary>
    public static async Task<double[]> LocalWritesAsync(string folder, int writes)
    {
        await using (ConcordClient warm = await ConcordClient.OpenAsync(new ConcordClientOptions { DatabasePath = Path.Combine(folder, "local-warmup.db") }))
        {
            ConcordCollection<BenchRecord> throwaway = warm.Collection<BenchRecord>("bench");
            var warming = Stopwatch.StartNew();
            for (int i = 0; warming.Elapsed < LocalWarmupTime; i++)
            {
                await throwaway.PutAsync(Workload.NewId(true), BenchRecord.Make(i));
            }
        }

        await using ConcordClient client = await ConcordClient.OpenAsync(new ConcordClientOptions { DatabasePath = Path.Combine(folder, "local.db") });
        ConcordCollection<BenchRecord> records = client.Collection<BenchRecord>("bench");

        var latencies = new double[writes];
        for (int i = 0; i < writes; i++)
        {
            string id = Workload.NewId(true);
            BenchRecord record = BenchRecord.Make(i);
            long start = Stopwatch.GetTimestamp();
            await records.PutAsync(id, record);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        return latencies;
    }

    private static async Task PostAsync(HttpClient http, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await http.PostAsync("push", content);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"push answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}

/// <summary>The typed record the local-write scenario stores: 10 fields, about 300 bytes of JSON.</summary>
internal sealed record BenchRecord(string Title, string Body, bool Done, int Priority, string[] Tags, string Owner, string Created, string Updated, double Score, string Category)
{
    public static BenchRecord Make(int i) => new(
        $"Task number {i,7} to be done soon",
        "Some longer text that describes the task in a sentence or two.",
        i % 2 == 0,
        i % 5,
        ["home", "errand"],
        $"user-{i % 97,4}@example.com",
        "2026-11-23T10:00:00Z",
        $"2026-11-23T11:{i % 60:D2}:00Z",
        (i % 1000) + 0.25,
        "personal");
}

/// <summary>What the pull scenario measured: records per second into a fresh client, warm in each encoding and JIT-cold.</summary>
internal sealed record PullFigures(int Records, double JsonRate, double CborRate, double ColdRate, double PeakMb);

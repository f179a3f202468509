using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Concord.Client;

namespace Concord.Testing.Chaos;

/// <summary>
/// A seeded chaos run: clients write at random through a <see cref="FaultProxy"/> to a real server process while a
/// profile's faults are on; then the network heals and the run checks that every replica equals the server, that
/// every local write was applied on the server exactly once, and that every counter is the sum of its increments.
/// </summary>
public static class ChaosRun
{
    /// <summary>Runs one profile; throws, naming the seed, when a check fails.</summary>
    public static async Task<ChaosReport> RunAsync(ChaosProfile profile, int seed, int clientCount, TimeSpan writing, TimeSpan convergeWithin, CancellationToken cancellationToken = default)
    {
        try
        {
            return await RunCoreAsync(profile, seed, clientCount, writing, convergeWithin, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new ChaosFailedException($"chaos [{profile.Name}] failed with seed {seed}; replay it with CONCORD_CHAOS_SEED={seed}: {ex.Message}", ex);
        }
    }

    private static async Task<ChaosReport> RunCoreAsync(ChaosProfile profile, int seed, int clientCount, TimeSpan writing, TimeSpan convergeWithin, CancellationToken cancellationToken)
    {
        using var folder = new TempDirectory();
        await using ChaosServer server = await ChaosServer.StartAsync(folder.File("server.db"), seed).ConfigureAwait(false);
        var sums = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        await using var opened = new TestClients(folder);
        var clients = new List<ChaosClient>();
        for (int i = 0; i < clientCount; i++)
        {
            ConcordClient client = await opened.OpenAsync($"client{i}", server.Proxy.SyncUri, Tuned).ConfigureAwait(false);
            clients.Add(new ChaosClient(client, seed * 31 + i, sums));
            client.Start();
        }

        var clock = Stopwatch.StartNew();
        profile.Begin(server.Proxy);
        using (var writingWindow = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            writingWindow.CancelAfter(writing);
            Task during = profile.During?.Invoke(server, writing, cancellationToken) ?? Task.CompletedTask;
            await Task.WhenAll(clients.Select(c => WriteUntilAsync(c, writingWindow.Token))).ConfigureAwait(false);
            await during.ConfigureAwait(false);
        }

        TimeSpan wrote = clock.Elapsed;
        server.Proxy.Calm();
        clock.Restart();
        await Wait.UntilAsync(() => Task.FromResult(clients.All(c => c.Client.QueueStats.Count == 0)), "every outbox to drain", convergeWithin).ConfigureAwait(false);

        // The server's truth, as a replica that was never behind the proxy sees it.
        ConcordClient reference = await opened.OpenAsync("reference", server.Process.SyncUri).ConfigureAwait(false);
        await reference.SyncAsync(cancellationToken).ConfigureAwait(false);
        SortedDictionary<string, string> truth = await ChaosClient.ViewAsync(reference, cancellationToken).ConfigureAwait(false);
        string? difference = null;
        await WaitOrExplainAsync(
            async () =>
            {
                foreach (ChaosClient client in clients)
                {
                    SortedDictionary<string, string> view = await ChaosClient.ViewAsync(client.Client, cancellationToken).ConfigureAwait(false);
                    difference = Difference(truth, view);
                    if (difference is not null)
                    {
                        difference = $"{client.Client.ClientId}: {difference}";
                        return false;
                    }
                }

                return true;
            },
            () => $"every replica to equal the server (last difference: {difference})",
            convergeWithin).ConfigureAwait(false);
        TimeSpan converged = clock.Elapsed;

        long writes = clients.Sum(c => c.Writes);
        long applied = await AppliedOpsAsync(server.Process.SyncUri, cancellationToken).ConfigureAwait(false);
        if (applied != writes)
        {
            throw new InvalidOperationException($"{writes} local writes, but the server applied {applied} ops.");
        }

        foreach (string id in ChaosClient.CrdtIds)
        {
            long expected = sums.GetValueOrDefault(id);
            long actual = truth.TryGetValue(id, out string? json) && JsonDocument.Parse(json).RootElement.TryGetProperty("count", out JsonElement count) ? count.GetInt64() : 0;
            if (actual != expected)
            {
                throw new InvalidOperationException($"counter {id} is {actual}; its increments add up to {expected}.");
            }
        }

        return new ChaosReport(
            profile.Name,
            seed,
            clientCount,
            writes,
            clients.Sum(c => c.Increments),
            applied,
            server.Proxy.Connections,
            server.Proxy.Resets,
            server.Proxy.Cuts,
            server.Faults,
            wrote,
            converged);
    }

    /// <summary>Short backoffs and heartbeats, so that a run spends its time on faults rather than waiting them out.</summary>
    private static ConcordClientOptions Tuned(ConcordClientOptions options) => options with
    {
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromSeconds(1),
        HeartbeatInterval = TimeSpan.FromSeconds(1),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PollInterval = TimeSpan.FromSeconds(1),
    };

    private static async Task WriteUntilAsync(ChaosClient client, CancellationToken stop)
    {
        var pace = new Random(client.Client.ClientId.GetHashCode(StringComparison.Ordinal));
        while (!stop.IsCancellationRequested)
        {
            await client.WriteOnceAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                // The pace of a person typing and clicking: writes are the workload, not a wait for something.
                await Task.Delay(pace.Next(2, 20), stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task WaitOrExplainAsync(Func<Task<bool>> condition, Func<string> what, TimeSpan within)
    {
        try
        {
            await Wait.UntilAsync(condition, "the condition", within).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out waiting for {what()}.");
        }
    }

    private static string? Difference(SortedDictionary<string, string> expected, SortedDictionary<string, string> actual)
    {
        foreach ((string id, string json) in expected)
        {
            if (!actual.TryGetValue(id, out string? mine))
            {
                return $"lacks {id}";
            }

            if (mine != json)
            {
                return $"{id} is {mine}, the server has {json}";
            }
        }

        string? extra = actual.Keys.FirstOrDefault(id => !expected.ContainsKey(id));
        return extra is null ? null : $"has {extra}, which the server does not";
    }

    private static async Task<long> AppliedOpsAsync(Uri syncUri, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = syncUri };
        using JsonDocument stats = JsonDocument.Parse(await http.GetStringAsync(new Uri(syncUri, "stats"), cancellationToken).ConfigureAwait(false));
        return stats.RootElement.GetProperty("appliedOps").GetInt64();
    }
}

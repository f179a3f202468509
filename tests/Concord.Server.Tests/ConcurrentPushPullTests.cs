using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Concord.Testing;
using static Concord.Server.Tests.SyncApi;

namespace Concord.Server.Tests;

public sealed class ConcurrentPushPullTests
{
    [Fact]
    public async Task A_puller_beside_eight_concurrent_http_pushers_misses_nothing()
    {
        using var folder = new TempDirectory();
        await using ConcordTestServer server = await ConcordTestServer.StartAsync(folder.File("busy.db"));
        const int Pushers = 8, Batches = 20, PerBatch = 25;
        var seen = new ConcurrentDictionary<string, long>();
        string? cursor = null;
        using var pushersDone = new CancellationTokenSource();

        async Task<bool> PullOnceAsync()
        {
            string body = cursor is null ? "{\"cursor\":null,\"limit\":100}" : $"{{\"cursor\":\"{cursor}\",\"limit\":100}}";
            (HttpStatusCode status, JsonElement page) = await PostAsync(server.Http, "pull", body);
            Assert.Equal(HttpStatusCode.OK, status);
            foreach (JsonElement record in page.GetProperty("records").EnumerateArray())
            {
                seen[record.GetProperty("id").GetString()!] = record.GetProperty("version").GetInt64();
            }

            cursor = page.GetProperty("cursor").GetString();
            return page.GetProperty("hasMore").GetBoolean();
        }

        Task puller = Task.Run(async () =>
        {
            while (!pushersDone.IsCancellationRequested)
            {
                await PullOnceAsync();
            }
        });
        long hlcBase = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        Task[] pushers = Enumerable.Range(0, Pushers).Select(p => Task.Run(async () =>
        {
            for (int b = 0; b < Batches; b++)
            {
                string[] changes = Enumerable.Range(0, PerBatch)
                    .Select(i => Change(opId: $"p{p}-b{b}-{i}", id: $"\"p{p}-b{b}-{i}\"", fields: $"{{\"n\":{i}}}", hlc: $"\"{hlcBase + b:x12}{i:x4}-p{p}\""))
                    .ToArray();
                (HttpStatusCode status, JsonElement answer) = await PostAsync(server.Http, "push", Push(changes));
                Assert.Equal(HttpStatusCode.OK, status);
                Assert.All(answer.GetProperty("results").EnumerateArray(), r => Assert.Equal("applied", r.GetProperty("status").GetString()));
            }
        })).ToArray();

        await Task.WhenAll(pushers);
        await pushersDone.CancelAsync();
        await puller;
        while (await PullOnceAsync())
        {
        }

        Assert.Equal(Pushers * Batches * PerBatch, seen.Count);
        Assert.Equal(Enumerable.Range(1, Pushers * Batches * PerBatch).Select(v => (long)v), seen.Values.Order());
    }
}

using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Concord.Testing;

namespace Concord.Cli.Tests;

/// <summary>Kills <c>concord serve</c> with SIGKILL in the middle of a push storm: every acknowledged change is still there.</summary>
public sealed class CrashDurabilityTests
{
    [Fact]
    public async Task Killing_the_server_under_load_loses_no_acknowledged_change()
    {
        using var folder = new TempDirectory();
        string db = folder.File("crash.db");
        var acknowledged = new ConcurrentDictionary<string, long>();
        await using (ServerProcess server = await ServerProcess.StartAsync(db))
        {
            using var http = new HttpClient { BaseAddress = server.SyncUri };
            using var stop = new CancellationTokenSource();
            long hlcBase = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
            Task[] pushers = Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
            {
                for (int b = 0; !stop.IsCancellationRequested; b++)
                {
                    string[] ids = Enumerable.Range(0, 50).Select(i => $"p{p}-b{b}-{i}").ToArray();
                    string body = JsonSerializer.Serialize(new
                    {
                        clientId = $"pusher{p}",
                        changes = ids.Select((id, i) => new { opId = id, collection = "items", id, kind = "put", fields = new { p, b, i }, hlc = $"{hlcBase + b:x12}{i:x4}-p{p}" }),
                    });
                    try
                    {
                        using var content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
                        using HttpResponseMessage response = await http.PostAsync("push", content, stop.Token);
                        if (!response.IsSuccessStatusCode)
                        {
                            return;
                        }

                        using JsonDocument answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(stop.Token));
                        foreach (JsonElement result in answer.RootElement.GetProperty("results").EnumerateArray())
                        {
                            acknowledged[result.GetProperty("opId").GetString()!] = result.GetProperty("version").GetInt64();
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
                    {
                        return; // The server is gone: whatever was not answered was never acknowledged.
                    }
                }
            })).ToArray();

            await Wait.UntilAsync(() => Task.FromResult(acknowledged.Count >= 3000), "3000 acknowledged changes");
            await server.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(pushers);
        }

        await using ServerProcess restarted = await ServerProcess.StartAsync(db);
        using var reader = new HttpClient { BaseAddress = restarted.SyncUri };
        var stored = new Dictionary<string, long>();
        string cursor = "null";
        bool more = true;
        while (more)
        {
            using var content = new StringContent($"{{\"cursor\":{cursor},\"limit\":5000}}", Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await reader.PostAsync("pull", content);
            using JsonDocument page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            foreach (JsonElement record in page.RootElement.GetProperty("records").EnumerateArray())
            {
                stored[record.GetProperty("id").GetString()!] = record.GetProperty("version").GetInt64();
            }

            cursor = "\"" + page.RootElement.GetProperty("cursor").GetString() + "\"";
            more = page.RootElement.GetProperty("hasMore").GetBoolean();
        }

        Assert.True(acknowledged.Count >= 3000);
        Assert.All(acknowledged, ack => Assert.Equal(ack.Value, stored.GetValueOrDefault(ack.Key)));
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(v => (long)v), stored.Values.Order());
    }
}

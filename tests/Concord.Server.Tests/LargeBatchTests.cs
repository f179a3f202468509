using System.Net;
using System.Text.Json;
using Concord.Errors;
using Concord.Testing;
using static Concord.Server.Tests.SyncApi;

namespace Concord.Server.Tests;

/// <summary>A batch large enough to be checked on several cores still answers every change in its place.</summary>
public sealed class LargeBatchTests
{
    [Fact]
    public async Task Good_and_bad_changes_of_a_large_batch_are_each_answered_in_place_and_applied_in_order()
    {
        using var folder = new TempDirectory();
        await using ConcordTestServer server = await ConcordTestServer.StartAsync(folder.File("large.db"));
        const int Count = 1000;
        string dayAhead = $"\"{DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds():x12}0000-liar\"";
        string[] changes = Enumerable.Range(0, Count).Select(i => Expected(i) switch
        {
            SyncErrorCodes.InvalidChange => Change(opId: $"op{i}", collection: "\"bad name\"", id: $"\"r{i}\""),
            SyncErrorCodes.ClockDrift => Change(opId: $"op{i}", id: $"\"r{i}\"", hlc: dayAhead),
            _ => Change(opId: $"op{i}", id: $"\"r{i}\"", fields: $"{{\"n\":{i}}}"),
        }).ToArray();

        (HttpStatusCode status, JsonElement answer) = await PostAsync(server.Http, "push", Push(changes));

        Assert.Equal(HttpStatusCode.OK, status);
        JsonElement[] results = [.. answer.GetProperty("results").EnumerateArray()];
        Assert.Equal(Count, results.Length);
        long lastVersion = 0;
        for (int i = 0; i < Count; i++)
        {
            Assert.Equal($"op{i}", results[i].GetProperty("opId").GetString());
            if (Expected(i) is { } code)
            {
                Assert.Equal("rejected", results[i].GetProperty("status").GetString());
                Assert.Equal(code, results[i].GetProperty("error").GetProperty("code").GetString());
            }
            else
            {
                Assert.Equal("applied", results[i].GetProperty("status").GetString());
                long version = results[i].GetProperty("version").GetInt64();
                Assert.Equal(lastVersion + 1, version);
                lastVersion = version;
            }
        }

        Assert.Equal(Enumerable.Range(0, Count).Count(i => Expected(i) is null), lastVersion);
    }

    private static string? Expected(int i) => i % 7 == 3 ? SyncErrorCodes.InvalidChange : i % 11 == 5 ? SyncErrorCodes.ClockDrift : null;
}

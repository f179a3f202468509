using System.Text.Json;
using Concord.Client.Collections;

namespace Concord.Client.Tests;

/// <summary>Replicas that edit offline end identical after they sync through a real server.</summary>
public sealed class ConvergenceTests : IAsyncLifetime
{
    private readonly ClientFixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task Same_field_edited_offline_on_two_replicas_ends_with_the_later_write_everywhere()
    {
        ConcordClient a = await _fixture.ClientAsync("a", behindNow: TimeSpan.FromSeconds(20));
        ConcordClient b = await _fixture.ClientAsync("b", behindNow: TimeSpan.FromSeconds(10));
        await a.Collection<Todo>("todos").PutAsync("t1", new Todo("first"));
        await a.SyncAsync();
        await b.SyncAsync();

        await b.Collection<Todo>("todos").PatchAsync("t1", new { title = "from b (later)" });
        await a.Collection<Todo>("todos").PatchAsync("t1", new { title = "from a (earlier)" });
        await SyncAllAsync(a, b);

        Assert.Equal("from b (later)", (await a.Collection<Todo>("todos").GetAsync("t1"))!.Title);
        await AssertIdenticalAsync("todos", a, b);
    }

    [Fact]
    public async Task Different_fields_edited_offline_both_survive()
    {
        ConcordClient a = await _fixture.ClientAsync("a");
        ConcordClient b = await _fixture.ClientAsync("b");
        await a.Collection<Todo>("todos").PutAsync("t1", new Todo("milk"));
        await SyncAllAsync(a, b);

        await a.Collection<Todo>("todos").PatchAsync("t1", new { done = true });
        await b.Collection<Todo>("todos").PatchAsync("t1", new { priority = 3 });
        await SyncAllAsync(a, b);

        Assert.Equal(new Todo("milk", true, 3), await b.Collection<Todo>("todos").GetAsync("t1"));
        await AssertIdenticalAsync("todos", a, b);
    }

    [Fact]
    public async Task A_later_delete_wins_over_an_earlier_offline_update()
    {
        ConcordClient a = await _fixture.ClientAsync("a", behindNow: TimeSpan.FromSeconds(20));
        ConcordClient b = await _fixture.ClientAsync("b", behindNow: TimeSpan.FromSeconds(10));
        await a.Collection<Todo>("todos").PutAsync("t1", new Todo("milk"));
        await SyncAllAsync(a, b);

        await a.Collection<Todo>("todos").PatchAsync("t1", new { done = true });
        await b.Collection<Todo>("todos").DeleteAsync("t1");
        await SyncAllAsync(a, b);

        Assert.Null(await a.Collection<Todo>("todos").GetAsync("t1"));
        Assert.Null(await b.Collection<Todo>("todos").GetAsync("t1"));
        await AssertIdenticalAsync("todos", a, b);
    }

    [Fact]
    public async Task A_later_update_revives_a_deleted_record_with_only_the_fields_written_after_the_delete()
    {
        ConcordClient a = await _fixture.ClientAsync("a", behindNow: TimeSpan.FromSeconds(20));
        ConcordClient b = await _fixture.ClientAsync("b", behindNow: TimeSpan.FromSeconds(10));
        await a.Collection<Todo>("todos").PutAsync("t1", new Todo("milk", Priority: 1));
        await SyncAllAsync(a, b);

        await a.Collection<Todo>("todos").DeleteAsync("t1");
        await b.Collection<Todo>("todos").PatchAsync("t1", new { title = "still needed" });
        await SyncAllAsync(a, b);

        Assert.Equal(new Todo("still needed"), await a.Collection<Todo>("todos").GetAsync("t1"));
        await AssertIdenticalAsync("todos", a, b);
    }

    [Fact]
    public async Task Three_replicas_with_interleaved_offline_edits_converge()
    {
        ConcordClient[] replicas =
        [
            await _fixture.ClientAsync("a", TimeSpan.FromSeconds(30)),
            await _fixture.ClientAsync("b", TimeSpan.FromSeconds(20)),
            await _fixture.ClientAsync("c", TimeSpan.FromSeconds(10)),
        ];
        var random = new Random(42);
        for (int round = 0; round < 5; round++)
        {
            foreach (ConcordClient replica in replicas)
            {
                ConcordCollection<JsonElement> items = replica.Collection<JsonElement>("items");
                for (int i = 0; i < 10; i++)
                {
                    string id = $"r{random.Next(8)}";
                    switch (random.Next(4))
                    {
                        case 0:
                            await items.PutAsync(id, JsonSerializer.SerializeToElement(new { a = random.Next(100), b = "put" }));
                            break;
                        case 1:
                            await items.PatchAsync(id, new { a = random.Next(100) });
                            break;
                        case 2:
                            await items.PatchAsync(id, new { c = replica.ClientId });
                            break;
                        default:
                            await items.DeleteAsync(id);
                            break;
                    }
                }
            }

            // Only some replicas sync each round: the rest stay offline a while longer.
            await replicas[round % 3].SyncAsync();
        }

        await SyncAllAsync(replicas);
        await AssertIdenticalAsync("items", replicas);
    }

    [Fact]
    public async Task Pulling_more_records_than_a_page_brings_them_all()
    {
        ConcordClient a = await _fixture.ClientAsync("a");
        ConcordClient b = await _fixture.Clients.OpenAsync("b", _fixture.Server.SyncUri, o => o with { PullPageSize = 100 });
        for (int i = 0; i < 1234; i++)
        {
            await a.Collection<Todo>("todos").PutAsync($"t{i:D5}", new Todo($"item {i}"));
        }

        await a.SyncAsync();
        await b.SyncAsync();

        Assert.Equal(1234, await b.Collection<Todo>("todos").Query().CountAsync());
        await AssertIdenticalAsync("todos", a, b);
    }

    [Fact]
    public async Task Queries_filter_order_and_limit_the_view()
    {
        ConcordClient a = await _fixture.ClientAsync("a");
        ConcordCollection<Todo> todos = a.Collection<Todo>("todos");
        await todos.PutAsync("1", new Todo("b", false, 2));
        await todos.PutAsync("2", new Todo("a", true, 5));
        await todos.PutAsync("3", new Todo("c", false, 1));
        await todos.PutAsync("4", new Todo("d", false, null));

        IReadOnlyList<Todo> open = await todos.Query().Where("done", "=", false).OrderBy("title", descending: true).Take(2).ToListAsync();
        long urgent = await todos.Query().Where("priority", ">=", 2).CountAsync();
        IReadOnlyList<KeyValuePair<string, Todo>> noPriority = await todos.Query().Where("priority", "=", null).ToEntriesAsync();

        Assert.Equal(["d", "c"], open.Select(t => t.Title));
        Assert.Equal(2, urgent);
        Assert.Equal("4", Assert.Single(noPriority).Key);
    }

    internal static async Task SyncAllAsync(params ConcordClient[] replicas)
    {
        // Twice round: the second pass brings everyone what the others pushed in the first.
        for (int pass = 0; pass < 2; pass++)
        {
            foreach (ConcordClient replica in replicas)
            {
                await replica.SyncAsync();
            }
        }
    }

    internal static async Task AssertIdenticalAsync(string collection, params ConcordClient[] replicas)
    {
        IReadOnlyList<KeyValuePair<string, JsonElement>> first = await replicas[0].Collection<JsonElement>(collection).Query().ToEntriesAsync();
        foreach (ConcordClient other in replicas.Skip(1))
        {
            IReadOnlyList<KeyValuePair<string, JsonElement>> theirs = await other.Collection<JsonElement>(collection).Query().ToEntriesAsync();
            Assert.Equal(first.Select(e => (e.Key, e.Value.GetRawText())), theirs.Select(e => (e.Key, e.Value.GetRawText())));
        }
    }
}

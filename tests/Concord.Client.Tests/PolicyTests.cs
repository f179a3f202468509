using Concord.Errors;
using Concord.Server;
using Concord.Server.Merging;
using Concord.Testing;

namespace Concord.Client.Tests;

/// <summary>Each conflict policy, with two and three real clients: replicas end equal to the server and losing edits roll back.</summary>
public sealed class PolicyTests : IAsyncLifetime
{
    private readonly TempDirectory _folder = new();
    private readonly List<IAsyncDisposable> _owned = [];
    private TestClients _clients = null!;

    public Task InitializeAsync()
    {
        _clients = new TestClients(_folder);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _clients.DisposeAsync();
        foreach (IAsyncDisposable owned in _owned)
        {
            await owned.DisposeAsync();
        }

        _folder.Dispose();
    }

    [Fact]
    public async Task Server_wins_a_stale_edit_loses_the_fields_changed_since_and_its_client_is_told()
    {
        ConcordTestServer server = await StartAsync(o => o.Collection("todos", c => c.Policy = ConflictPolicy.ServerWins));
        ConcordClient a = await ClientAsync(server, "a"), b = await ClientAsync(server, "b"), c = await ClientAsync(server, "c");
        await a.Collection<Todo>("todos").PutAsync("t1", new Todo("milk", false, 1));
        await ConvergenceTests.SyncAllAsync(a, b, c);
        var told = new List<ChangeRejectedEventArgs>();
        b.ChangeRejected += (_, e) => told.Add(e);

        // a and b both edit version 1 of the title; b also raises the priority, which nobody else touched.
        await a.Collection<Todo>("todos").PatchAsync("t1", new { title = "oat milk" });
        await a.SyncAsync();
        await b.Collection<Todo>("todos").PatchAsync("t1", new { title = "soy milk", priority = 3 });
        await c.Collection<Todo>("todos").PatchAsync("t1", new { done = true });
        Assert.Equal("soy milk", (await b.Collection<Todo>("todos").GetAsync("t1"))!.Title);
        await ConvergenceTests.SyncAllAsync(b, c, a);

        Assert.Equal(new Todo("oat milk", true, 3), await b.Collection<Todo>("todos").GetAsync("t1"));
        ChangeRejectedEventArgs conflict = Assert.Single(told);
        Assert.Equal(SyncErrorCodes.Conflict, conflict.Error.Code);
        Assert.Equal(["title"], ((System.Text.Json.JsonElement)conflict.Error.Meta!["fields"]).EnumerateArray().Select(e => e.GetString()));
        await ConvergenceTests.AssertIdenticalAsync("todos", a, b, c);
    }

    [Fact]
    public async Task Server_wins_a_stale_delete_is_rejected_and_the_record_comes_back()
    {
        ConcordTestServer server = await StartAsync(o => o.Collection("todos", c => c.Policy = ConflictPolicy.ServerWins));
        ConcordClient a = await ClientAsync(server, "a"), b = await ClientAsync(server, "b");
        await a.Collection<Todo>("todos").PutAsync("t1", new Todo("milk"));
        await ConvergenceTests.SyncAllAsync(a, b);
        var rejected = new TaskCompletionSource<ChangeRejectedEventArgs>();
        b.ChangeRejected += (_, e) => rejected.TrySetResult(e);

        await a.Collection<Todo>("todos").PatchAsync("t1", new { done = true });
        await a.SyncAsync();
        await b.Collection<Todo>("todos").DeleteAsync("t1");
        Assert.Null(await b.Collection<Todo>("todos").GetAsync("t1"));
        await b.SyncAsync();

        Assert.Equal(SyncErrorCodes.Conflict, (await Wait.ForAsync(rejected.Task, "the conflict")).Error.Code);
        Assert.Equal(new Todo("milk", true), await b.Collection<Todo>("todos").GetAsync("t1"));
    }

    [Fact]
    public async Task Client_wins_the_last_change_to_arrive_wins_even_with_an_older_clock()
    {
        ConcordTestServer server = await StartAsync(o => o.Collection("notes", c => c.Policy = ConflictPolicy.ClientWins));
        ConcordClient fast = await ClientAsync(server, "fast", TimeSpan.FromSeconds(1));
        ConcordClient slow = await ClientAsync(server, "slow", TimeSpan.FromSeconds(40));
        ConcordClient third = await ClientAsync(server, "third", TimeSpan.FromSeconds(20));
        await fast.Collection<Todo>("notes").PutAsync("n1", new Todo("first"));
        await ConvergenceTests.SyncAllAsync(fast, slow, third);

        await fast.Collection<Todo>("notes").PatchAsync("n1", new { title = "newer clock, arrives first" });
        await slow.Collection<Todo>("notes").PatchAsync("n1", new { title = "older clock, arrives last" });
        await fast.SyncAsync();
        await third.SyncAsync();
        await slow.SyncAsync();
        await ConvergenceTests.SyncAllAsync(fast, slow, third);

        Assert.Equal("older clock, arrives last", (await fast.Collection<Todo>("notes").GetAsync("n1"))!.Title);
        await ConvergenceTests.AssertIdenticalAsync("notes", fast, slow, third);
    }

    [Fact]
    public async Task A_custom_resolver_merges_and_rejects_and_every_replica_follows_it()
    {
        ConcordTestServer server = await StartAsync(o => o.Collection("tasks", c => c.Policy = ConflictPolicy.Custom((current, change, context) =>
        {
            if (change.Fields.TryGetValue("title", out Records.RawJsonValue title) && title.ToString().Contains("forbidden", StringComparison.Ordinal))
            {
                return MergeDecision.Reject(SyncError.InvalidChange("That title is not allowed."));
            }

            // Priority only ever goes up, whoever wrote last.
            if (current is not null && change.Fields.TryGetValue("priority", out Records.RawJsonValue incoming)
                && current.Fields.TryGetValue("priority", out Records.FieldState stored)
                && int.Parse(stored.Value.ToString(), System.Globalization.CultureInfo.InvariantCulture) > int.Parse(incoming.ToString(), System.Globalization.CultureInfo.InvariantCulture))
            {
                var kept = change.Fields.Where(f => f.Key != "priority").ToDictionary(f => f.Key, f => f.Value);
                return context.LastWriterWins(current, change.WithFields(kept));
            }

            return context.LastWriterWins(current, change);
        })));
        ConcordClient a = await ClientAsync(server, "a", TimeSpan.FromSeconds(30)), b = await ClientAsync(server, "b", TimeSpan.FromSeconds(10));
        await a.Collection<Todo>("tasks").PutAsync("k", new Todo("plan", false, 1));
        await ConvergenceTests.SyncAllAsync(a, b);
        var rejected = new TaskCompletionSource<ChangeRejectedEventArgs>();
        a.ChangeRejected += (_, e) => rejected.TrySetResult(e);

        await b.Collection<Todo>("tasks").PatchAsync("k", new { priority = 5 });
        await b.SyncAsync();
        await a.Collection<Todo>("tasks").PatchAsync("k", new { priority = 2 });
        await a.Collection<Todo>("tasks").PatchAsync("k", new { title = "forbidden plan" });
        await ConvergenceTests.SyncAllAsync(a, b);

        Assert.Equal(new Todo("plan", false, 5), await a.Collection<Todo>("tasks").GetAsync("k"));
        Assert.Equal(SyncErrorCodes.InvalidChange, (await Wait.ForAsync(rejected.Task, "the rejection")).Error.Code);
        await ConvergenceTests.AssertIdenticalAsync("tasks", a, b);
    }

    [Fact]
    public async Task Sync_json_publishes_each_collection_policy_and_crdt_fields()
    {
        ConcordTestServer server = await StartAsync(o => o
            .Collection("a", c => c.Policy = ConflictPolicy.ServerWins)
            .Collection("b", c => c.Counter("likes").Set("tags").Text("body")));

        using System.Text.Json.JsonDocument description = System.Text.Json.JsonDocument.Parse(await server.Http.GetStringAsync("api/sync/sync.json"));

        var collections = description.RootElement.GetProperty("collections").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal("server-wins", collections["a"].GetProperty("policy").GetString());
        Assert.Equal("lww", collections["b"].GetProperty("policy").GetString());
        Assert.Equal("{\"likes\":\"counter\",\"tags\":\"set\",\"body\":\"text\"}", collections["b"].GetProperty("fields").GetRawText());
    }

    private async Task<ConcordTestServer> StartAsync(Action<ConcordServerOptions> configure)
    {
        ConcordTestServer server = await ConcordTestServer.StartAsync(_folder.File(Guid.NewGuid().ToString("N") + ".db"), configure);
        _owned.Add(server);
        return server;
    }

    private Task<ConcordClient> ClientAsync(ConcordTestServer server, string name, TimeSpan? behind = null) =>
        _clients.OpenAsync(name, server.SyncUri, o => o with { TimeProvider = behind is { } b ? ClientFixture.ClockAt(b) : TimeProvider.System });
}

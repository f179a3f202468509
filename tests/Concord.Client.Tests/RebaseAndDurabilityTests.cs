using Concord.Errors;
using Concord.Testing;

namespace Concord.Client.Tests;

/// <summary>The server is the authority: refused edits roll back; nothing accepted is lost across restarts and lost answers.</summary>
public sealed class RebaseAndDurabilityTests : IAsyncLifetime
{
    private readonly ClientFixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task A_change_the_server_refuses_rolls_back_in_the_view_and_the_app_is_told_why()
    {
        ConcordClient honest = await _fixture.ClientAsync("honest");
        await honest.Collection<Todo>("todos").PutAsync("t1", new Todo("milk"));
        await honest.SyncAsync();

        // A replica whose wall clock is a day fast: the server refuses its writes as clock drift.
        ConcordClient fast = await _fixture.Clients.OpenAsync("fast", _fixture.Server.SyncUri, o => o with { TimeProvider = ClientFixture.ClockAt(TimeSpan.FromDays(-1)) });
        await fast.SyncAsync();
        var rejections = new List<ChangeRejectedEventArgs>();
        fast.ChangeRejected += (_, e) => rejections.Add(e);
        await fast.Collection<Todo>("todos").PatchAsync("t1", new { title = "hijacked" });
        await fast.Collection<Todo>("todos").PutAsync("t2", new Todo("new"));
        Assert.Equal("hijacked", (await fast.Collection<Todo>("todos").GetAsync("t1"))!.Title);

        await fast.SyncAsync();

        Assert.Equal(2, rejections.Count);
        Assert.All(rejections, r => Assert.Equal(SyncErrorCodes.ClockDrift, r.Error.Code));
        Assert.Equal(["t1", "t2"], rejections.Select(r => r.Id));
        Assert.Equal(new Todo("milk"), await fast.Collection<Todo>("todos").GetAsync("t1"));
        Assert.Null(await fast.Collection<Todo>("todos").GetAsync("t2"));
        Assert.Equal(0, fast.QueueStats.Count);
    }

    [Fact]
    public async Task A_change_to_a_collection_the_server_does_not_declare_is_refused_and_rolled_back()
    {
        await using var strict = await ConcordTestServer.StartAsync(_fixture.Folder.File("strict.db"), o =>
        {
            o.AllowUndeclaredCollections = false;
            o.Collection("todos");
        });
        ConcordClient client = await _fixture.Clients.OpenAsync("strict-client", strict.SyncUri);
        var rejected = new TaskCompletionSource<ChangeRejectedEventArgs>();
        client.ChangeRejected += (_, e) => rejected.TrySetResult(e);
        await client.Collection<Todo>("todos").PutAsync("ok", new Todo("fine"));
        await client.Collection<Todo>("secrets").PutAsync("nope", new Todo("refused"));

        await client.SyncAsync();

        ChangeRejectedEventArgs why = await Wait.ForAsync(rejected.Task, "the rejection event");
        Assert.Equal(("secrets", "nope", SyncErrorCodes.InvalidChange), (why.Collection, why.Id, why.Error.Code));
        Assert.Null(await client.Collection<Todo>("secrets").GetAsync("nope"));
        Assert.Equal(new Todo("fine"), await client.Collection<Todo>("todos").GetAsync("ok"));
    }

    [Fact]
    public async Task The_outbox_survives_a_client_restart_and_reaches_the_server()
    {
        ConcordClient offline = await _fixture.Clients.OpenAsync("phone", server: null);
        await offline.Collection<Todo>("todos").PutAsync("t1", new Todo("written offline"));
        await offline.Collection<Todo>("todos").PatchAsync("t1", new { done = true });
        Assert.Equal(2, offline.QueueStats.Count);
        await _fixture.Clients.CloseAsync(offline);

        ConcordClient reopened = await _fixture.ClientAsync("phone");
        Assert.Equal(2, reopened.QueueStats.Count);
        Assert.Equal(new Todo("written offline", true), await reopened.Collection<Todo>("todos").GetAsync("t1"));
        await reopened.SyncAsync();
        ConcordClient other = await _fixture.ClientAsync("laptop");
        await other.SyncAsync();

        Assert.Equal(0, reopened.QueueStats.Count);
        Assert.Equal(new Todo("written offline", true), await other.Collection<Todo>("todos").GetAsync("t1"));
    }

    [Fact]
    public async Task The_server_keeps_everything_across_a_restart()
    {
        string db = _fixture.Folder.File("restart.db");
        ConcordTestServer first = await ConcordTestServer.StartAsync(db);
        ConcordClient writer = await _fixture.Clients.OpenAsync("writer", first.SyncUri);
        for (int i = 0; i < 50; i++)
        {
            await writer.Collection<Todo>("todos").PutAsync($"t{i}", new Todo($"#{i}"));
        }

        await writer.SyncAsync();
        await first.DisposeAsync();

        await using ConcordTestServer second = await ConcordTestServer.StartAsync(db);
        ConcordClient reader = await _fixture.Clients.OpenAsync("reader", second.SyncUri);
        await reader.SyncAsync();

        Assert.Equal(50, await reader.Collection<Todo>("todos").Query().CountAsync());
        Assert.Equal(new Todo("#49"), await reader.Collection<Todo>("todos").GetAsync("t49"));
    }

    [Fact]
    public async Task A_push_whose_answer_was_lost_is_retried_and_applied_once()
    {
        await using var proxy = new FaultProxy(_fixture.Server.Root);
        ConcordClient client = await _fixture.Clients.OpenAsync("flaky", proxy.SyncUri);
        await client.Collection<Todo>("todos").PutAsync("t1", new Todo("once"));
        await client.Collection<Todo>("todos").PatchAsync("t1", new { priority = 1 });

        proxy.DropResponses = true;
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.SyncAsync());
        Assert.True(proxy.Dropped > 0);
        Assert.Equal(2, client.QueueStats.Count);
        Protocol.StatsResponse afterLostAnswer = await StatsAsync();
        Assert.Equal(2, afterLostAnswer.AppliedOps);

        proxy.DropResponses = false;
        await client.SyncAsync();

        Protocol.StatsResponse stats = await StatsAsync();
        Assert.Equal(2, stats.AppliedOps);
        Assert.Equal(2, stats.CurrentVersion);
        Assert.Equal(0, client.QueueStats.Count);
        Assert.Equal(new Todo("once", Priority: 1), await client.Collection<Todo>("todos").GetAsync("t1"));
    }

    [Fact]
    public async Task A_cursor_from_a_replaced_store_triggers_a_resync_that_drops_what_the_server_no_longer_has()
    {
        ConcordClient client = await _fixture.ClientAsync("mobile");
        await client.Collection<Todo>("todos").PutAsync("old", new Todo("on the old server"));
        await client.SyncAsync();
        await _fixture.Clients.CloseAsync(client);

        await using ConcordTestServer replacement = await ConcordTestServer.StartAsync(_fixture.Folder.File("replacement.db"));
        ConcordClient seeded = await _fixture.Clients.OpenAsync("seed", replacement.SyncUri);
        await seeded.Collection<Todo>("todos").PutAsync("new", new Todo("on the new server"));
        await seeded.SyncAsync();

        ConcordClient moved = await _fixture.Clients.OpenAsync("mobile", replacement.SyncUri);
        await moved.Collection<Todo>("todos").PutAsync("pending", new Todo("written before the move"));
        await moved.SyncAsync();

        IReadOnlyList<KeyValuePair<string, Todo>> all = await moved.Collection<Todo>("todos").Query().ToEntriesAsync();
        Assert.Equal(["new", "pending"], all.Select(e => e.Key));
    }

    [Fact]
    public async Task Drain_waits_until_the_background_loop_has_delivered_everything()
    {
        ConcordClient a = await _fixture.ClientAsync("a");
        ConcordClient b = await _fixture.ClientAsync("b");
        var states = new List<SyncState>();
        a.StateChanged += (_, e) => { lock (states) { states.Add(e.Current); } };
        a.Start();
        b.Start();
        for (int i = 0; i < 20; i++)
        {
            await a.Collection<Todo>("todos").PutAsync($"t{i}", new Todo($"#{i}"));
        }

        await a.DrainAsync().WaitAsync(Wait.DefaultTimeout);

        Assert.Equal(0, a.QueueStats.Count);
        await Wait.UntilAsync(async () => await b.Collection<Todo>("todos").Query().CountAsync() == 20, "b to receive every record");
        lock (states)
        {
            Assert.Contains(SyncState.Pushing, states);
            Assert.Contains(SyncState.Synced, states);
        }

        await a.StopAsync();
        Assert.Equal(SyncState.Idle, a.State);
    }

    [Fact]
    public async Task The_loop_goes_offline_when_the_server_is_unreachable_and_recovers_with_backoff()
    {
        await using var proxy = new FaultProxy(_fixture.Server.Root);
        ConcordClient client = await _fixture.Clients.OpenAsync("roaming", proxy.SyncUri);
        var offline = new TaskCompletionSource();
        var synced = new TaskCompletionSource();
        client.StateChanged += (_, e) =>
        {
            if (e.Current == SyncState.Offline)
            {
                offline.TrySetResult();
            }
            else if (e.Current == SyncState.Synced && offline.Task.IsCompleted)
            {
                synced.TrySetResult();
            }
        };
        proxy.DropResponses = true;
        await client.Collection<Todo>("todos").PutAsync("t1", new Todo("eventually"));
        client.Start();

        await Wait.ForAsync(offline.Task.ContinueWith(_ => true), "the client to go offline");
        proxy.DropResponses = false;
        await Wait.ForAsync(synced.Task.ContinueWith(_ => true), "the client to recover");

        Assert.Equal(0, client.QueueStats.Count);
        Assert.Equal(1, (await StatsAsync()).AppliedOps);
    }

    private async Task<Protocol.StatsResponse> StatsAsync()
    {
        byte[] body = await _fixture.Server.Http.GetByteArrayAsync("api/sync/stats");
        Assert.True(new Protocol.Json.JsonProtocolCodec(new Protocol.ProtocolLimits()).TryDecode(body, out Protocol.StatsResponse? stats, out _));
        return stats;
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using Concord.Client;
using Concord.Testing;

namespace Concord.Cli.Tests;

/// <summary>
/// Clients against <c>concord serve</c>: a WebSocket when the network allows, HTTP with server-sent events when it
/// blocks WebSockets, reconnecting after faults. Polling is set to an hour, so whatever arrives came in real time.
/// </summary>
public sealed class RealtimeClientTests(ServerProcessFixture fixture) : IClassFixture<ServerProcessFixture>, IAsyncLifetime
{
    private readonly TempDirectory _folder = new();
    private TestClients _clients = null!;

    public Task InitializeAsync()
    {
        _clients = new TestClients(_folder);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _clients.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_write_reaches_another_started_client_over_the_websocket()
    {
        ConcordClient a = await StartedAsync("ws-a", fixture.Server.SyncUri);
        ConcordClient b = await StartedAsync("ws-b", fixture.Server.SyncUri);
        await ConnectedAsync(a, SyncConnection.WebSocket);
        await ConnectedAsync(b, SyncConnection.WebSocket);
        var arrived = new TaskCompletionSource<Note>(TaskCreationOptions.RunContinuationsAsynchronously);
        using IDisposable watching = b.Collection<Note>("ws").Observe("n1").Subscribe(n =>
        {
            if (n is not null)
            {
                arrived.TrySetResult(n);
            }
        });

        await a.Collection<Note>("ws").PutAsync("n1", new Note("hello"));

        Assert.Equal("hello", (await Wait.ForAsync(arrived.Task, "the note to reach b")).Text);
        Assert.Equal(SyncConnection.WebSocket, b.Connection);
    }

    [Fact]
    public async Task Where_websockets_are_blocked_the_client_uses_http_with_server_sent_events()
    {
        await using var proxy = new FaultProxy(fixture.Server.Root) { BlockWebSocketUpgrades = true };
        ConcordClient writer = await StartedAsync("sse-writer", fixture.Server.SyncUri);
        ConcordClient reader = await StartedAsync("sse-reader", proxy.SyncUri);
        await ConnectedAsync(reader, SyncConnection.ServerSentEvents);

        await writer.Collection<Note>("sse").PutAsync("n1", new Note("through events"));

        await Wait.UntilAsync(async () => (await reader.Collection<Note>("sse").GetAsync("n1"))?.Text == "through events", "the poke to make the reader pull");
        Assert.True(proxy.BlockedUpgrades >= 1);
        Assert.Equal(SyncConnection.ServerSentEvents, reader.Connection);
    }

    [Fact]
    public async Task After_falling_back_the_client_tries_the_websocket_again_and_takes_it()
    {
        await using var proxy = new FaultProxy(fixture.Server.Root) { BlockWebSocketUpgrades = true };
        ConcordClient client = await StartedAsync("retry", proxy.SyncUri, o => o with { MaxBackoff = TimeSpan.FromMilliseconds(300) });
        await ConnectedAsync(client, SyncConnection.ServerSentEvents);

        proxy.BlockWebSocketUpgrades = false;

        await ConnectedAsync(client, SyncConnection.WebSocket);
    }

    [Fact]
    public async Task In_websocket_only_mode_a_blocked_upgrade_is_retried_and_never_replaced_by_http()
    {
        await using var proxy = new FaultProxy(fixture.Server.Root) { BlockWebSocketUpgrades = true };
        ConcordClient client = await StartedAsync("ws-only", proxy.SyncUri, o => o with { Transport = SyncTransportMode.WebSocket });

        await Wait.UntilAsync(() => Task.FromResult(proxy.BlockedUpgrades >= 3), "the upgrade to be tried three times");

        Assert.Equal(SyncConnection.None, client.Connection);
    }

    [Fact]
    public async Task In_http_mode_the_client_never_asks_for_a_websocket()
    {
        await using var proxy = new FaultProxy(fixture.Server.Root) { BlockWebSocketUpgrades = true };
        ConcordClient writer = await StartedAsync("http-writer", fixture.Server.SyncUri);
        ConcordClient reader = await StartedAsync("http-reader", proxy.SyncUri, o => o with { Transport = SyncTransportMode.Http });
        await ConnectedAsync(reader, SyncConnection.ServerSentEvents);

        await writer.Collection<Note>("http").PutAsync("n1", new Note("polled never"));

        await Wait.UntilAsync(async () => (await reader.Collection<Note>("http").GetAsync("n1")) is not null, "the change to reach the http reader");
        Assert.Equal(0, proxy.BlockedUpgrades);
    }

    [Fact]
    public async Task A_push_whose_answer_is_lost_with_its_connection_is_retried_and_lands_once()
    {
        await using var proxy = new FaultProxy(fixture.Server.Root);
        ConcordClient client = await StartedAsync("lost-answer", proxy.SyncUri);
        await ConnectedAsync(client, SyncConnection.WebSocket);
        long before = await AppliedOpsAsync();

        proxy.DropResponses = true;
        await client.Collection<Note>("lost").PutAsync("n1", new Note("once"));
        await Wait.UntilAsync(() => Task.FromResult(proxy.Dropped >= 1), "the push's answer to be swallowed");
        proxy.DropResponses = false;
        await client.DrainAsync().WaitAsync(Wait.DefaultTimeout);

        Assert.Equal(before + 1, await AppliedOpsAsync());
        Assert.Equal("once", (await client.Collection<Note>("lost").GetAsync("n1"))?.Text);
    }

    [Fact]
    public async Task A_killed_server_is_reconnected_to_after_its_restart_and_the_clients_catch_up()
    {
        using var folder = new TempDirectory();
        ServerProcess server = await ServerProcess.StartAsync(folder.File("restart.db"));
        try
        {
            ConcordClient a = await StartedAsync("restart-a", server.SyncUri);
            ConcordClient b = await StartedAsync("restart-b", server.SyncUri);
            await ConnectedAsync(a, SyncConnection.WebSocket);
            await ConnectedAsync(b, SyncConnection.WebSocket);

            await server.KillAsync();
            await a.Collection<Note>("restart").PutAsync("n1", new Note("written while the server was down"));
            ServerProcess restarted = await server.RestartAsync();
            await server.DisposeAsync();
            server = restarted;

            await Wait.UntilAsync(async () => (await b.Collection<Note>("restart").GetAsync("n1")) is not null, "b to get a's write after the restart");
            await ConnectedAsync(b, SyncConnection.WebSocket);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private async Task<ConcordClient> StartedAsync(string name, Uri server, Func<ConcordClientOptions, ConcordClientOptions>? adjust = null)
    {
        ConcordClient client = await _clients.OpenAsync(name, server, o =>
        {
            o = o with { PollInterval = TimeSpan.FromHours(1), HeartbeatInterval = TimeSpan.FromSeconds(2) };
            return adjust is null ? o : adjust(o);
        });
        client.Start();
        return client;
    }

    private static Task ConnectedAsync(ConcordClient client, SyncConnection connection) =>
        Wait.UntilAsync(() => Task.FromResult(client.Connection == connection), $"{client.ClientId} to connect over {connection}");

    private async Task<long> AppliedOpsAsync()
    {
        using var http = new HttpClient();
        JsonElement stats = await http.GetFromJsonAsync<JsonElement>(new Uri(fixture.Server.SyncUri, "stats"));
        return stats.GetProperty("appliedOps").GetInt64();
    }

    private sealed record Note(string Text);
}

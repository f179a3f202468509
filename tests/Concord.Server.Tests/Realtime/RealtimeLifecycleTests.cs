using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Concord.Protocol.Realtime;
using Concord.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Concord.Server.Tests.Realtime;

/// <summary>
/// Heartbeats, slow readers, event streams, shutdown and metrics, against a real server whose clock is a
/// <see cref="FakeTimeProvider"/>: time only moves when a test moves it.
/// </summary>
public sealed class RealtimeLifecycleTests : IAsyncLifetime
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _folder = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private ConcordTestServer? _server;

    private ConcordTestServer Server => _server!;

    public async Task InitializeAsync() =>
        _server = await ConcordTestServer.StartAsync(
            _folder.File("lifecycle.db"),
            o =>
            {
                o.Realtime.HeartbeatInterval = Heartbeat;
                o.Realtime.SlowReaderTimeout = TimeSpan.FromSeconds(10);
                o.Realtime.ChangesBacklog = 2;
            },
            s => s.AddSingleton<TimeProvider>(_time));

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _folder.Dispose();
    }

    [Fact]
    public async Task A_websocket_silent_for_two_heartbeat_intervals_is_closed_and_a_pinging_one_is_not()
    {
        await using RawWebSocket silent = await HelloAsync("silent");
        await using RawWebSocket alive = await HelloAsync("alive");

        for (int i = 0; i < 3; i++)
        {
            _time.Advance(Heartbeat * 0.9);
            await alive.SendAsync("""{"type":"ping"}""");
            Assert.Equal("pong", (await alive.ReceiveJsonAsync()).GetProperty("type").GetString());
        }

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await silent.ClosedAsync());
        Assert.Equal(WebSocketState.Open, alive.Socket.State);
    }

    [Fact]
    public async Task An_event_stream_pokes_with_the_version_and_sends_heartbeat_comments()
    {
        await PushAsync("e1", new string('a', 10));
        await using RawEventStream events = await RawEventStream.OpenAsync(Server.Http, Server.SyncUri);

        IReadOnlyList<string> first = await events.ReadBlockAsync();
        await PushAsync("e2", "b");
        IReadOnlyList<string> second = await events.ReadBlockAsync();
        _time.Advance(Heartbeat);
        IReadOnlyList<string> heartbeat = await events.ReadBlockAsync();

        Assert.Equal(HttpStatusCode.OK, events.Response.StatusCode);
        Assert.Equal("text/event-stream", events.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["event: poke", "data: {\"version\":1}"], first);
        Assert.Equal(["event: poke", "data: {\"version\":2}"], second);
        Assert.Equal([": ping"], heartbeat);
    }

    [Fact]
    public async Task A_reader_that_stays_behind_is_poked_then_disconnected()
    {
        using var connections = new MetricCollector<long>(Server.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "Concord.Server", "concord.server.disconnects");
        await using RawWebSocket reader = await HelloAsync("slow");
        await reader.SendAsync("""{"type":"pull","id":1,"cursor":null}""");
        await reader.ReceiveJsonAsync("pullResult");

        // Never read again: megabytes of records fill the socket's buffers until a send cannot finish.
        string big = new('x', 1024 * 1024);
        for (int i = 0; i < 24; i++)
        {
            await PushAsync($"big-{i}", big);
        }

        await Wait.UntilAsync(
            () =>
            {
                _time.Advance(TimeSpan.FromSeconds(11));
                return Task.FromResult(connections.GetMeasurementSnapshot().Any(m => (string?)m.Tags["reason"] == "slow_reader"));
            },
            "the slow reader to be disconnected");
    }

    [Fact]
    public async Task Stopping_the_server_closes_its_websockets_with_going_away()
    {
        RawWebSocket ws = await HelloAsync("leaving");

        ValueTask stopping = Server.DisposeAsync();
        WebSocketCloseStatus? status = await ws.ClosedAsync();
        await stopping;
        _server = null;

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status);
        await ws.DisposeAsync();
    }

    [Fact]
    public async Task Metrics_count_connections_pushes_changes_and_deliveries()
    {
        var meters = Server.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var open = new MetricCollector<long>(meters, "Concord.Server", "concord.server.connections");
        using var changes = new MetricCollector<long>(meters, "Concord.Server", "concord.server.changes");
        using var delivered = new MetricCollector<long>(meters, "Concord.Server", "concord.server.fanout.deliveries");
        using var fanOut = new MetricCollector<double>(meters, "Concord.Server", "concord.server.fanout.duration");

        await using (RawWebSocket ws = await HelloAsync("metered"))
        {
            await ws.SendAsync("""{"type":"pull","id":1,"cursor":null}""");
            await ws.ReceiveJsonAsync("pullResult");
            await PushAsync("m1", "x");
            await ws.ReceiveJsonAsync("changes");
        }

        await Wait.UntilAsync(() => Task.FromResult(open.GetMeasurementSnapshot().Sum(m => m.Value) == 0 && open.GetMeasurementSnapshot().Count == 2), "the connection to be counted in and out");
        Assert.Equal(1, changes.GetMeasurementSnapshot().Where(m => (string?)m.Tags["status"] == "applied").Sum(m => m.Value));
        // Fan-out is counted once the frames are handed out, which may be just after the client has its one.
        await Wait.UntilAsync(() => Task.FromResult(fanOut.GetMeasurementSnapshot().Count > 0 && delivered.GetMeasurementSnapshot().Sum(m => m.Value) > 0), "the fan-out to be counted");
        Assert.Equal(1, delivered.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    private async Task<RawWebSocket> HelloAsync(string clientId)
    {
        RawWebSocket ws = await RawWebSocket.ConnectAsync(Server.SyncUri, JsonFrameCodec.Name);
        await ws.SendAsync($$"""{"type":"hello","protocolVersion":1,"clientId":"{{clientId}}"}""");
        await ws.ReceiveJsonAsync("welcome");
        return ws;
    }

    private async Task PushAsync(string id, string text)
    {
        string change = $$"""{"opId":"{{Guid.CreateVersion7()}}","collection":"notes","id":"{{id}}","kind":"put","fields":{"text":"{{text}}"},"hlc":"{{_time.GetUtcNow().ToUnixTimeMilliseconds():x12}}0000-tester"}""";
        (HttpStatusCode status, JsonElement body) = await SyncApi.PostAsync(Server.Http, "push", $$"""{"clientId":"tester","changes":[{{change}}]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("applied", body.GetProperty("results")[0].GetProperty("status").GetString());
    }
}

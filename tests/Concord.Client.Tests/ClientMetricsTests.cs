using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Concord.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Concord.Client.Tests;

/// <summary>The <c>Concord.Client</c> meter, read as dotnet-counters or OpenTelemetry would, through the host's <see cref="IMeterFactory"/>.</summary>
public sealed class ClientMetricsTests(ClientFixture fixture) : IClassFixture<ClientFixture>, IAsyncDisposable
{
    private readonly ServiceProvider _host = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private IMeterFactory Meters => _host.GetRequiredService<IMeterFactory>();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_outbox_gauge_counts_what_waits_for_the_server()
    {
        using var size = new MetricCollector<long>(Meters, "Concord.Client", "concord.client.outbox.size");
        ConcordClient client = await fixture.Clients.OpenAsync("gauge", fixture.Server.SyncUri, o => o with { MeterFactory = Meters });
        var todos = client.Collection<Todo>("gauge");
        for (int i = 0; i < 3; i++)
        {
            await todos.PutAsync($"t{i}", new Todo($"todo {i}"));
        }

        size.RecordObservableInstruments();
        Assert.Equal(3, size.LastMeasurement?.Value);
        await client.DrainAsync();
        size.RecordObservableInstruments();
        Assert.Equal(0, size.LastMeasurement?.Value);
    }

    [Fact]
    public async Task Reconnects_are_counted_while_the_server_cannot_be_reached()
    {
        using var reconnects = new MetricCollector<long>(Meters, "Concord.Client", "concord.client.reconnects");
        ConcordClient client = await fixture.Clients.OpenAsync("unreachable", new Uri($"http://127.0.0.1:{FreePort()}/api/sync/"), o => o with { MeterFactory = Meters });

        client.Start();

        await Wait.UntilAsync(() => Task.FromResult(reconnects.GetMeasurementSnapshot().Sum(m => m.Value) >= 3), "three reconnects to be counted");
        Assert.Equal(SyncConnection.None, client.Connection);
    }

    [Fact]
    public async Task Records_received_in_real_time_are_counted()
    {
        using var received = new MetricCollector<long>(Meters, "Concord.Client", "concord.client.realtime.records");
        ConcordClient writer = await fixture.Clients.OpenAsync("rt-writer", fixture.Server.SyncUri);
        ConcordClient reader = await fixture.Clients.OpenAsync("rt-reader", fixture.Server.SyncUri, o => o with { MeterFactory = Meters, PollInterval = TimeSpan.FromHours(1) });
        reader.Start();
        await Wait.UntilAsync(() => Task.FromResult(reader.Connection == SyncConnection.WebSocket), "the reader's WebSocket");
        await Wait.UntilAsync(() => Task.FromResult(reader.State == SyncState.Synced), "the reader's first round");

        await writer.Collection<Todo>("realtime").PutAsync("r1", new Todo("live"));
        await writer.SyncAsync();

        await Wait.UntilAsync(() => Task.FromResult(received.GetMeasurementSnapshot().Sum(m => m.Value) >= 1), "the record to arrive unasked");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

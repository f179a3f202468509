using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Concord.Client.Sync;

/// <summary>
/// The <c>Concord.Client</c> meter: outbox size, reconnects, pokes, records received in real time, and push and pull
/// durations. Names and units are listed in <c>docs/observability.md</c>.
/// </summary>
internal sealed class ClientMetrics : IDisposable
{
    public const string MeterName = "Concord.Client";

    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _reconnects;
    private readonly Counter<long> _pokes;
    private readonly Counter<long> _received;
    private readonly Histogram<double> _pushDuration;
    private readonly Histogram<double> _pullDuration;

    public ClientMetrics(IMeterFactory? meterFactory, Func<QueueStats> queue)
    {
        // Without a factory (no host, no DI) the client owns its meter; listeners find it by name either way.
        Meter meter = meterFactory?.Create(MeterName) ?? (_ownedMeter = new Meter(MeterName));
        meter.CreateObservableGauge("concord.client.outbox.size", () => queue().Count, "{change}", "Local changes not yet acknowledged by the server.");
        meter.CreateObservableGauge("concord.client.outbox.bytes", () => queue().Bytes, "By", "Bytes of the local changes not yet acknowledged.");
        _reconnects = meter.CreateCounter<long>("concord.client.reconnects", "{reconnect}", "Connections to the server lost or refused and tried again.");
        _pokes = meter.CreateCounter<long>("concord.client.pokes", "{poke}", "Pokes received from the server.");
        _received = meter.CreateCounter<long>("concord.client.realtime.records", "{record}", "Records received in changes frames, without pulling.");
        _pushDuration = meter.CreateHistogram<double>("concord.client.push.duration", "s", "Time from sending a push to its answer.");
        _pullDuration = meter.CreateHistogram<double>("concord.client.pull.duration", "s", "Time from asking for a pull page to its answer.");
    }

    public void Reconnecting() => _reconnects.Add(1);

    public void Poked() => _pokes.Add(1);

    public void Received(int records) => _received.Add(records);

    public void Pushed(long startTimestamp)
    {
        if (_pushDuration.Enabled)
        {
            _pushDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
        }
    }

    public void Pulled(long startTimestamp)
    {
        if (_pullDuration.Enabled)
        {
            _pullDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
        }
    }

    public void Dispose() => _ownedMeter?.Dispose();
}

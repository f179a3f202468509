using System.Diagnostics;
using System.Diagnostics.Metrics;
using Concord.Protocol;

namespace Concord.Server.Diagnostics;

/// <summary>
/// The <c>Concord.Server</c> meter: pushes, changes by outcome, pulled records, open connections, pokes, fan-out
/// and request durations. Names and units are listed in <c>docs/observability.md</c>.
/// </summary>
internal sealed class ConcordServerMetrics
{
    public const string MeterName = "Concord.Server";

    private readonly Counter<long> _pushes;
    private readonly Counter<long> _changes;
    private readonly Counter<long> _pulledRecords;
    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _pokes;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _disconnects;
    private readonly Histogram<double> _fanOut;
    private readonly Histogram<double> _pushDuration;
    private readonly Histogram<double> _pullDuration;

    public ConcordServerMetrics(IMeterFactory meterFactory)
    {
        Meter meter = meterFactory.Create(MeterName);
        _pushes = meter.CreateCounter<long>("concord.server.pushes", "{push}", "Push requests answered.");
        _changes = meter.CreateCounter<long>("concord.server.changes", "{change}", "Changes pushed, by status (applied, duplicate, rejected) and, when rejected, error code.");
        _pulledRecords = meter.CreateCounter<long>("concord.server.pull.records", "{record}", "Records sent in pull answers.");
        _connections = meter.CreateUpDownCounter<long>("concord.server.connections", "{connection}", "Open realtime connections, by transport (websocket, sse).");
        _pokes = meter.CreateCounter<long>("concord.server.pokes", "{poke}", "Pokes sent, by transport.");
        _deliveries = meter.CreateCounter<long>("concord.server.fanout.deliveries", "{record}", "Records sent to connections in changes frames.");
        _disconnects = meter.CreateCounter<long>("concord.server.disconnects", "{connection}", "Realtime connections closed, by reason.");
        _fanOut = meter.CreateHistogram<double>("concord.server.fanout.duration", "s", "From a commit to its records or pokes handed to every connection of the tenant.");
        _pushDuration = meter.CreateHistogram<double>("concord.server.push.duration", "s", "Time to answer a push, by transport (http, websocket).");
        _pullDuration = meter.CreateHistogram<double>("concord.server.pull.duration", "s", "Time to answer a pull, by transport.");
    }

    public void PushAnswered(string transport, PushResponse response, long startTimestamp)
    {
        var tag = new KeyValuePair<string, object?>("transport", transport);
        _pushes.Add(1, tag);
        if (_pushDuration.Enabled)
        {
            _pushDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tag);
        }

        if (!_changes.Enabled)
        {
            return;
        }

        int applied = 0, duplicates = 0;
        foreach (ChangeResultMessage result in response.Results)
        {
            if (result.Status == ChangeStatus.Applied)
            {
                applied++;
            }
            else if (result.Status == ChangeStatus.Duplicate)
            {
                duplicates++;
            }
            else
            {
                _changes.Add(1, new("status", result.Status), new("code", result.Error?.Code));
            }
        }

        _changes.Add(applied, new KeyValuePair<string, object?>("status", ChangeStatus.Applied));
        _changes.Add(duplicates, new KeyValuePair<string, object?>("status", ChangeStatus.Duplicate));
    }

    public void PullAnswered(string transport, PullResponse response, long startTimestamp)
    {
        _pulledRecords.Add(response.Records.Count);
        if (_pullDuration.Enabled)
        {
            _pullDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>("transport", transport));
        }
    }

    public void Connected(string transport) => _connections.Add(1, new KeyValuePair<string, object?>("transport", transport));

    public void Disconnected(string transport, string reason)
    {
        _connections.Add(-1, new KeyValuePair<string, object?>("transport", transport));
        _disconnects.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    public void Poked(string transport) => _pokes.Add(1, new KeyValuePair<string, object?>("transport", transport));

    public void Delivered(long records) => _deliveries.Add(records);

    public void FannedOut(long startTimestamp)
    {
        if (_fanOut.Enabled)
        {
            _fanOut.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
        }
    }
}

using System.Globalization;
using Concord.RealtimeBench;
using Spectre.Console;

// One table: Concord's realtime fan-out beside the y-websocket server's, both measured in this run by this
// process's raw WebSocket clients, on loopback. Options: --quick (shorter phases), --receivers 100,1000 (fan-out
// rows), --only fanout|idle|client. To look into one side: --system concord|yjs (fan-out and idle rows of that side
// only), --hold-idle SECONDS (keep the idle connections open that long after measuring, for other tools), and
// --concord-env NAME=VALUE (repeatable; set for the Concord server process only, to compare runtime settings).
BenchSettings settings = BenchSettings.From(args);
string only = BenchSettings.Option(args, "--only") ?? "all";
string? onlySystem = BenchSettings.Option(args, "--system");
string load = ProcessReadings.LoadAverage();
if (Console.IsOutputRedirected)
{
    // Written to a file or a pipe: wide enough that each row stays on one line.
    AnsiConsole.Profile.Width = 200;
}

AnsiConsole.MarkupLine($"[grey]load average at start: {load} ({Environment.ProcessorCount} cores)[/]");
if (ProcessReadings.OpenFileLimit() < settings.IdleConnections + 1000)
{
    AnsiConsole.MarkupLine($"[red]This process may open only {ProcessReadings.OpenFileLimit()} files; run it through bench/Concord.RealtimeBench/with-open-files.sh.[/]");
    return 1;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
CancellationToken token = cancel.Token;

AnsiConsole.MarkupLine("[grey]Yjs side from npm, and its updates…[/]");
NodePackages node = NodePackages.Install();
YjsUpdates updates = YjsUpdates.Make(node, settings.Receivers.Max(r => settings.WarmupWritesFor(r) + settings.MeasuredWrites(r)) + settings.MaxSaturationWrites);
string folder = Path.Combine(Path.GetTempPath(), "concord-realtime-bench-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(folder);
using var connector = new WebSocketConnector();
IRealtimeSystem concord = new ConcordSystem(folder, connector, settings.ConcordEnvironment);
IRealtimeSystem yjs = new YjsSystem(node, updates, connector);
string yjsName = $"Yjs (@y/websocket-server {node.VersionOf("@y/websocket-server")})";
var table = new Table().Title($"Realtime fan-out on loopback, Concord and the y-websocket server (this machine, one run; load average at start {load})")
    .AddColumns("measurement", "Concord", yjsName, "Concord / Yjs", "target");
var notes = new List<string>();
try
{
    if (only is "all" or "fanout")
    {
        foreach (int receivers in settings.Receivers)
        {
            var pair = new Dictionary<string, FanOutFigures>();
            foreach (IRealtimeSystem system in new[] { concord, yjs })
            {
                if (onlySystem is not null && !system.Name.Equals(onlySystem, StringComparison.OrdinalIgnoreCase))
                {
                    pair[system.Name] = FanOutFigures.NotRun(receivers);
                    continue;
                }

                AnsiConsole.MarkupLine($"[grey]{system.Name}: fan-out to {receivers:N0} receivers…[/]");
                pair[system.Name] = await FanOutScenario.RunAsync(system, receivers, settings, token);
                notes.AddRange(Anomalies(system.Name, pair[system.Name]));
            }

            AddFanOutRows(table, pair["Concord"], pair["Yjs"]);
            if (pair["Concord"].Pulls > 0)
            {
                notes.Add($"Concord, {receivers:N0} receivers: {pair["Concord"].Pulls:N0} pulls at saturation by receivers poked instead of sent records (the server's backpressure); what they pulled counts as delivered.");
            }
        }
    }

    if (only is "all" or "idle")
    {
        var perConnection = new Dictionary<string, double> { ["Concord"] = double.NaN, ["Yjs"] = double.NaN };
        foreach (IRealtimeSystem system in new[] { concord, yjs })
        {
            if (onlySystem is not null && !system.Name.Equals(onlySystem, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            AnsiConsole.MarkupLine($"[grey]{system.Name}: {settings.IdleConnections:N0} idle connections…[/]");
            perConnection[system.Name] = await IdleMemoryScenario.BytesPerConnectionAsync(system, settings.IdleConnections, settings.HoldIdle, token);
        }

        table.AddRow(
            $"server memory per idle connection ({settings.IdleConnections:N0} open)",
            $"{perConnection["Concord"] / 1024:N1} KiB",
            $"{perConnection["Yjs"] / 1024:N1} KiB",
            Ratio(perConnection["Concord"], perConnection["Yjs"]),
            Target("≤ 8 KiB", perConnection["Concord"] <= 8 * 1024));
    }

    if (only is "all" or "client")
    {
        AnsiConsole.MarkupLine("[grey]Concord: client to client (ConcordClient over a WebSocket, live query)…[/]");
        LatencyFigures concordClients = await ConcordClientLatency.MeasureAsync(concord, folder, settings, token);
        AnsiConsole.MarkupLine("[grey]Yjs: client to client (y-websocket provider, node)…[/]");
        LatencyFigures yjsClients = await YjsClientLatency.MeasureAsync(yjs, node, settings, token);
        table.AddRow("client to client, one change: p50", Milliseconds(concordClients.P50), Milliseconds(yjsClients.P50), Ratio(concordClients.P50, yjsClients.P50),
            Target("< 5 ms", concordClients.P50 < 5));
        table.AddRow("client to client, one change: p99", Milliseconds(concordClients.P99), Milliseconds(yjsClients.P99), Ratio(concordClients.P99, yjsClients.P99), "report");
    }
}
finally
{
    Directory.Delete(folder, recursive: true);
}

AnsiConsole.Write(table);
notes.InsertRange(0, Footnotes(settings, node));
if (settings.ConcordEnvironment.Count > 0)
{
    notes.Add("Concord server run with " + string.Join(' ', settings.ConcordEnvironment.Select(e => $"{e.Key}={e.Value}")) + " (not as shipped).");
}

foreach (string note in notes)
{
    AnsiConsole.MarkupLine("[grey]" + Markup.Escape(note) + "[/]");
}

return 0;

static void AddFanOutRows(Table table, FanOutFigures c, FanOutFigures y)
{
    string n = c.Receivers.ToString("N0", CultureInfo.InvariantCulture);
    bool targeted = c.Receivers == 1000;
    FanOutFigures ran = c.MeasuredWrites > 0 ? c : y;
    table.AddRow($"fan-out latency p50, {n} receivers ({ran.MeasuredWrites} writes, 1 per {ran.Interval.TotalMilliseconds:N0} ms)", Milliseconds(c.Latency.P50), Milliseconds(y.Latency.P50), Ratio(c.Latency.P50, y.Latency.P50),
        targeted ? Target("≤ 6 ms and ≤ ½ Yjs", c.Latency.P50 <= 6 && c.Latency.P50 <= y.Latency.P50 / 2) : string.Empty);
    table.AddRow($"fan-out latency p95, {n} receivers", Milliseconds(c.Latency.P95), Milliseconds(y.Latency.P95), Ratio(c.Latency.P95, y.Latency.P95), string.Empty);
    table.AddRow($"fan-out latency p99, {n} receivers", Milliseconds(c.Latency.P99), Milliseconds(y.Latency.P99), Ratio(c.Latency.P99, y.Latency.P99),
        targeted ? Target("≤ 25 ms and ≤ ½ Yjs", c.Latency.P99 <= 25 && c.Latency.P99 <= y.Latency.P99 / 2) : string.Empty);
    table.AddRow($"fan-out latency max, {n} receivers", Milliseconds(c.Latency.Max), Milliseconds(y.Latency.Max), Ratio(c.Latency.Max, y.Latency.Max), string.Empty);
    table.AddRow($"server CPU per delivery (paced), {n} receivers", PacedCpu(c), PacedCpu(y),
        Ratio(c.CpuMicrosecondsPerDelivery, y.CpuMicrosecondsPerDelivery), "report");
    table.AddRow($"deliveries/s at saturation, {n} receivers", Saturation(c), Saturation(y), Ratio(c.SaturationDeliveriesPerSecond, y.SaturationDeliveriesPerSecond),
        Target("≥ 200,000/s", c.SaturationDeliveriesPerSecond >= 200_000));
}

static IEnumerable<string> Anomalies(string name, FanOutFigures f)
{
    string n = $"{name}, {f.Receivers:N0} receivers:";
    if (f.Missing > 0 || f.SaturationMissing > 0)
    {
        yield return $"{n} {f.Missing:N0} timed and {f.SaturationMissing:N0} saturation deliveries never arrived.";
    }

    if (f.Unmatched > 0)
    {
        yield return $"{n} {f.Unmatched:N0} frames matched no write.";
    }

    if (f.Disconnects > 0)
    {
        yield return $"{n} {f.Disconnects:N0} receivers were disconnected by the server.";
    }

    if (f.Refused > 0)
    {
        yield return $"{n} {f.Refused:N0} writes refused.";
    }
}

static IEnumerable<string> Footnotes(BenchSettings settings, NodePackages node)
{
    yield return $"Same method for both: one .NET process of raw WebSocket clients (ClientWebSocket), N receivers and one writer, a fresh server process per row group, on the same {Environment.ProcessorCount} cores as the server.";
    yield return $"Latency: {settings.WarmupTime.TotalSeconds:N0} s of paced writes as warm-up (at least {settings.WarmupWrites}), then {settings.MeasuredTime.TotalSeconds:N0} s of writes (at least {settings.MinMeasuredWrites}), one every {settings.MinWriteInterval.TotalMilliseconds:N0} ms or slower, so that they ask for at most {settings.PacedDeliveriesPerSecond:N0} deliveries/s; from just before the write is sent to the arrival of its last byte at each receiver, over every delivery. CPU per delivery: the server's utime+stime (/proc, 10 ms ticks) over those writes, divided by their deliveries; in brackets the same for this process, the clients.";
    yield return $"Saturation: the writer pipelines, up to {settings.SaturationWindow} writes in flight (sent and not yet at every receiver), for {settings.SaturationTime.TotalSeconds:N0} s. Deliveries = writes × receivers that got them; Concord may merge commits close together into one changes frame of k records, which counts k deliveries per receiver. Cores: server CPU time over wall time.";
    yield return "A Concord write is one push of one put (record w{i}, {\"seq\": i}), committed to SQLite before it fans out; a Yjs write is a real update setting key w{i} of a map to {seq: i} in a room kept in memory. Concord receivers said hello and pulled once (caught up); Yjs receivers joined the room.";
    yield return $"Client to client: {settings.ClientChanges} changes after as many of warm-up, one every {settings.MinWriteInterval.TotalMilliseconds:N0} ms or slower (the next once the last arrived). Concord: ConcordClient A's PutAsync to client B's Observe callback with the value, both syncing over a WebSocket only. Yjs: doc A's map.set to doc B's update event, both with y-websocket's WebsocketProvider in one node process.";
    yield return $"Idle memory: VmRSS after the connections minus VmRSS before, 2 s after the last one was handshaken. Versions: yjs {node.VersionOf("yjs")}, ws {node.VersionOf("ws")}, y-websocket {node.VersionOf("y-websocket")}, node {node.NodeVersion()}; Yjs's ES module build.";
}

static string Milliseconds(double ms) => double.IsNaN(ms) ? "-" : ms >= 100 ? $"{ms:N0} ms" : $"{ms:N2} ms";

static string PacedCpu(FanOutFigures f) => $"{f.CpuMicrosecondsPerDelivery:N2} µs (clients {f.ClientCpuMicrosecondsPerDelivery:N2} µs)";

static string Saturation(FanOutFigures f) =>
    $"{f.SaturationDeliveriesPerSecond:N0}/s (server {f.SaturationCores:N2} cores, {f.SaturationCpuMicrosecondsPerDelivery:N2} µs each; clients {f.SaturationClientCores:N2} cores)";

static string Ratio(double concord, double baseline) => double.IsNaN(concord) || double.IsNaN(baseline) || baseline == 0 ? "-" : $"{concord / baseline:N2}×";

static string Target(string target, bool met) => $"{target} ({(met ? "met" : "missed")})";

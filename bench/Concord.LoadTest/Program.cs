using Concord.LoadTest;
using Spectre.Console;

if (args is ["pull-client", var server, var db])
{
    return await Scenarios.PullClientAsync(new Uri(server), db);
}

if (args is ["flood-client", var floodServer, var floodToken, var floodConnections])
{
    return await Flood.ClientAsync(new Uri(floodServer), floodToken, int.Parse(floodConnections, System.Globalization.CultureInfo.InvariantCulture));
}

if (Console.IsOutputRedirected)
{
    // Written to a file or a pipe, the tables would otherwise wrap at 80 columns.
    AnsiConsole.Profile.Width = 200;
}

bool quick = args.Contains("--quick");
string only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault() ?? "all";
if (only is not ("all" or "push" or "pull" or "local" or "auth" or "flood"))
{
    await Console.Error.WriteLineAsync($"--only {only}: expected all, push, pull, local, auth or flood");
    return 2;
}

string folder = Path.Combine(Path.GetTempPath(), "concord-loadtest-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(folder);
try
{
    // Apart from "all": each has a table of its own, and they take minutes.
    if (only is "auth")
    {
        AnsiConsole.Write(await AuthCost.RunAsync(folder, quick));
        return 0;
    }

    if (only is "flood")
    {
        AnsiConsole.Write(await Flood.RunAsync(folder, quick));
        return 0;
    }

    var table = new Table().Title("Concord end-to-end load test (server on loopback, SQLite WAL, synchronous=NORMAL)")
        .AddColumns("measurement", "Concord", "baseline (plain Microsoft.Data.Sqlite, same rows)", "ratio", "target");
    string Rate(double r) => $"{r:N0}/s";

    int total = quick ? 20_000 : 200_000;
    int? onlyClients = Option("--clients"), onlyBatch = Option("--batch");
    foreach ((int clients, int batch, bool ordered) in new[] { (1, 100, true), (1, 1000, true), (8, 100, true), (8, 1000, true), (1, 1000, false), (8, 1000, false) })
    {
        if (only is not ("all" or "push"))
        {
            break;
        }

        if ((onlyClients is { } c && c != clients) || (onlyBatch is { } b && b != batch))
        {
            continue;
        }

        AnsiConsole.MarkupLine($"[grey]push: {clients} client(s), batches of {batch}, {(ordered ? "UUIDv7" : "UUIDv4")} ids[/]");
        (double rate, double peak) = await Scenarios.PushAsync(folder, clients, batch, total, ordered);
        double raw = SqliteBaselines.BestUpsertRate(folder, $"raw-{clients}-{batch}-{ordered}", total, batch, ordered);
        string target = batch == 1000 ? "≥ 40 % of raw, ≥ 60,000/s" : string.Empty;
        table.AddRow(
            $"push, {clients} client(s), batch {batch}, {(ordered ? "v7" : "v4")} ids",
            Rate(rate),
            $"upsert, 1 txn per {batch}: {Rate(raw)}",
            $"{rate / raw:P0}",
            target);
        if (clients == 8 && ordered && batch == 1000)
        {
            table.AddRow("server peak memory, 8-client push", $"{peak:N0} MB", string.Empty, string.Empty, "< 250 MB");
        }
    }

    if (only is "all" or "pull")
    {
        AnsiConsole.MarkupLine("[grey]pull: 100,000 records into a fresh client[/]");
        PullFigures pull = await Scenarios.PullAsync(folder, 100_000);
        table.AddRow($"pull {pull.Records:N0} records into a fresh client, JSON (median of 3)", Rate(pull.JsonRate), string.Empty, string.Empty, "≥ 100,000/s");
        table.AddRow($"pull {pull.Records:N0} records into a fresh client, CBOR (median of 3)", Rate(pull.CborRate), string.Empty, string.Empty, string.Empty);
        table.AddRow("  first pull of a cold process (JIT), JSON", Rate(pull.ColdRate), string.Empty, string.Empty, string.Empty);
        table.AddRow("client peak memory, pulling", $"{pull.PeakMb:N0} MB", string.Empty, string.Empty, "< 150 MB");
    }

    if (only is "all" or "local")
    {
        AnsiConsole.MarkupLine("[grey]local writes[/]");
        const int Writes = 20_000;
        double[] local = await Scenarios.LocalWritesAsync(folder, Writes);
        SqliteBaselines.TwoInsertLatencies(Path.Combine(folder, "two-insert-warmup.db"), Writes);
        double[] plain = SqliteBaselines.TwoInsertLatencies(Path.Combine(folder, "two-insert.db"), Writes);
        (double p50, double p99) = Percentiles(local);
        (double b50, double b99) = Percentiles(plain);
        table.AddRow("local write (PutAsync) p50", $"{p50:N1} µs", $"two-insert txn p50: {b50:N1} µs", $"{p50 / b50:N2}×", "≤ 1.5×");
        table.AddRow("local write (PutAsync) p99", $"{p99:N1} µs", $"two-insert txn p99: {b99:N1} µs", $"{p99 / b99:N2}×", string.Empty);
    }

    AnsiConsole.Write(table);
    return 0;
}
finally
{
    Directory.Delete(folder, recursive: true);
}

int? Option(string name) =>
    args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } value ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : null;

static (double P50, double P99) Percentiles(double[] values)
{
    double[] sorted = values.Order().ToArray();
    return (sorted[sorted.Length / 2], sorted[(int)(sorted.Length * 0.99)]);
}

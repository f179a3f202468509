using System.Text.Json;
using Concord.Benchmarks.Codecs;
using Concord.Benchmarks.Merge;
using Concord.RichTypesBench;
using Spectre.Console;

// One table, every ratio measured in this run: the text type against Yjs (and Automerge) on a real
// editing trace, CBOR against JSON, and the cost of counter and set merges.
// Options: --quick (one run of each text measurement), --no-automerge, --no-text.
bool skipAutomerge = args.Contains("--no-automerge");
bool skipText = args.Contains("--no-text");
int runs = args.Contains("--quick") ? 1 : 3;

var table = new Table().Title("Concord rich types (this machine, one run)").AddColumns("measurement", "Concord", "baseline", "ratio", "target");
if (!skipText)
{
    AddTextRows(table, TracePath(), runs, skipAutomerge);
}

AnsiConsole.MarkupLine("[grey]CBOR and JSON codecs, counter and set merges (BenchmarkDotNet)…[/]");
Dictionary<string, double> codecs = MicroBenchmarks.Run<MessageCodecBenchmarks>();
Dictionary<string, double> merges = MicroBenchmarks.Run<CrdtMergeBenchmarks>();
foreach (string message in new[] { "push100", "pull1000" })
{
    (int json, int cbor) = new MessageCodecBenchmarks { Message = message }.Sizes();
    string label = message == "push100" ? "100-change push" : "1,000-record pull page";
    table.AddRow($"CBOR {label}: bytes", $"{cbor:N0} B", $"JSON: {json:N0} B", $"{(double)cbor / json:P0}", "≤ 70 %");
    table.AddRow($"CBOR {label}: encode", Micro(codecs[$"CborEncode({message})"]), "JSON: " + Micro(codecs[$"JsonEncode({message})"]), $"{codecs[$"CborEncode({message})"] / codecs[$"JsonEncode({message})"]:N2}×", "report");
    table.AddRow($"CBOR {label}: decode", Micro(codecs[$"CborDecode({message})"]), "JSON: " + Micro(codecs[$"JsonDecode({message})"]), $"{codecs[$"CborDecode({message})"] / codecs[$"JsonDecode({message})"]:N2}×", "≤ 1× JSON");
}

table.AddRow("counter: merge two 12-replica states", Micro(merges["CounterMerge8Replicas"]), string.Empty, string.Empty, "report");
table.AddRow("counter: apply one increment", Micro(merges["CounterApplyIncrement"]), string.Empty, string.Empty, "report");
table.AddRow("set: merge two 100-element states", Micro(merges["SetMerge100Elements"]), string.Empty, string.Empty, "report");
table.AddRow("set: apply one add and one remove", Micro(merges["SetApplyAddAndRemove"]), string.Empty, string.Empty, "report");
AnsiConsole.Write(table);
return 0;

static void AddTextRows(Table table, string trace, int runs, bool skipAutomerge)
{
    AnsiConsole.MarkupLine("[grey]Concord text type on the trace…[/]");
    TextMeasurements concord = TextMeasurements.Run(trace, runs);
    AnsiConsole.MarkupLine("[grey]Yjs" + (skipAutomerge ? string.Empty : " and Automerge") + " from npm, with node…[/]");
    IReadOnlyList<JsonElement> others = NodeLibraries.Run(trace, runs, !skipAutomerge);
    foreach (JsonElement other in others)
    {
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(other.GetProperty("library").GetString()!)} loaded from {Markup.Escape(other.GetProperty("module").GetString()!)}[/]");
    }

    JsonElement yjs = others.First(o => o.GetProperty("library").GetString()!.StartsWith("Yjs", StringComparison.Ordinal));
    double yjsApply = yjs.GetProperty("applyMs").GetDouble(), yjsLoad = yjs.GetProperty("loadMs").GetDouble();
    int yjsV2 = yjs.GetProperty("bytes").GetInt32(), yjsV1 = yjs.GetProperty("bytesV1").GetInt32();
    table.AddRow("text: apply 259,778 trace edits (one per transaction)", $"{concord.ApplyMs:N0} ms", $"{yjs.GetProperty("library").GetString()}: {yjsApply:N0} ms", $"{concord.ApplyMs / yjsApply:N3}×", "≤ 1× Yjs");
    table.AddRow("text: encoded document", $"{concord.Bytes:N0} B", $"Yjs V2: {yjsV2:N0} B (V1: {yjsV1:N0} B)", $"{(double)concord.Bytes / yjsV2:N3}×", "≤ 1× Yjs V2");
    table.AddRow("text: load the encoded document", $"{concord.LoadMs:N1} ms", $"Yjs: {yjsLoad:N1} ms", $"{concord.LoadMs / yjsLoad:N3}×", "≤ 1× Yjs");
    table.AddRow("text: memory after loading", $"{concord.MemoryBytes / 1e6:N2} MB (managed)", $"Yjs: {yjs.GetProperty("memoryBytes").GetInt64() / 1e6:N2} MB (V8 heap)", string.Empty, "report");
    foreach (JsonElement other in others.Where(o => !o.Equals(yjs)))
    {
        string library = other.GetProperty("library").GetString()!;
        if (other.TryGetProperty("skipped", out JsonElement why))
        {
            table.AddRow($"text: {library}", "-", why.GetString()!, string.Empty, "report");
            continue;
        }

        double apply = other.GetProperty("applyMs").GetDouble();
        int bytes = other.GetProperty("bytes").GetInt32();
        table.AddRow($"text: apply, beside {library}", $"{concord.ApplyMs:N0} ms", $"{apply:N0} ms", $"{concord.ApplyMs / apply:N3}×", "report");
        table.AddRow($"text: size and load, beside {library}", $"{concord.Bytes:N0} B, {concord.LoadMs:N1} ms", $"{bytes:N0} B, {other.GetProperty("loadMs").GetDouble():N1} ms", $"{(double)concord.Bytes / bytes:N3}× size", "report");
    }
}

static string Micro(double nanoseconds) => nanoseconds >= 1000 ? $"{nanoseconds / 1000:N1} µs" : $"{nanoseconds:N0} ns";

static string TracePath()
{
    for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Concord.slnx")))
        {
            string path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "editing-traces", "automerge-paper.json.gz"));
            return File.Exists(path) ? path : throw new FileNotFoundException("The editing trace is missing.", path);
        }
    }

    throw new InvalidOperationException("Concord.slnx not found above " + AppContext.BaseDirectory);
}

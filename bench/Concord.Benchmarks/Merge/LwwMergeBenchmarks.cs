using BenchmarkDotNet.Attributes;
using Concord.Clock;
using Concord.Merge;
using Concord.Records;

namespace Concord.Benchmarks.Merge;

/// <summary>Merging a change that writes all 10 fields into a record of 10 fields (target: under 1 µs).</summary>
[MemoryDiagnoser]
public class LwwMergeBenchmarks
{
    private RecordState _record = null!;
    private Change _patch = null!;
    private Change _put = null!;

    [GlobalSetup]
    public void Setup()
    {
        var older = new HlcTimestamp(1_700_000_000_000, 0, "a");
        var newer = new HlcTimestamp(1_700_000_000_001, 0, "b");
        _record = new RecordState("todos", "r1", Fields(older, "old").Select(f => new KeyValuePair<string, FieldState>(f.Key, new FieldState(f.Value, older))), default, default, 1);
        _patch = new Change("op", "todos", "r1", ChangeKind.Patch, Fields(newer, "new"), newer);
        _put = new Change("op2", "todos", "r1", ChangeKind.Put, Fields(newer, "new"), newer);
    }

    [Benchmark(Baseline = true)]
    public RecordState Patch10Fields()
    {
        RecordState state = _record.Clone();
        LastWriterWinsMerge.Apply(state, _patch);
        return state;
    }

    [Benchmark]
    public RecordState Put10Fields()
    {
        RecordState state = _record.Clone();
        LastWriterWinsMerge.Apply(state, _put);
        return state;
    }

    [Benchmark]
    public RecordState CloneOnly() => _record.Clone();

    private static Dictionary<string, RawJsonValue> Fields(HlcTimestamp hlc, string value) =>
        Enumerable.Range(0, 10).ToDictionary(i => $"field{i}", i => RawJsonValue.Parse($"\"{value}-{i}-{hlc.Counter}-abcdefghijklmnop\""));
}

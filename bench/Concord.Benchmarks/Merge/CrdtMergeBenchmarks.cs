using BenchmarkDotNet.Attributes;
using Concord.Crdt;
using Concord.Records;

namespace Concord.Benchmarks.Merge;

/// <summary>What merging counters and sets costs: state merges of replicas, and one operation applied.</summary>
[MemoryDiagnoser]
public class CrdtMergeBenchmarks
{
    private PositiveNegativeCounter _counterA = null!, _counterB = null!;
    private ObservedRemoveSet _setA = null!, _setB = null!;
    private CounterValue _counter = null!;
    private SetValue _set = null!;
    private CrdtOperation _increment = null!, _addAndRemove = null!;

    [GlobalSetup]
    public void Setup()
    {
        _counterA = new PositiveNegativeCounter();
        _counterB = new PositiveNegativeCounter();
        for (int r = 0; r < 8; r++)
        {
            _counterA.Add($"replica{r}", 10 + r);
            _counterB.Add($"replica{r}", -(5 + r));
            _counterB.Add($"replica{r + 4}", 20);
        }

        _setA = new ObservedRemoveSet();
        _setB = new ObservedRemoveSet();
        for (int i = 0; i < 100; i++)
        {
            _setA.Add($"\"tag{i}\"", $"a:{i}");
            _setB.Add($"\"tag{i + 50}\"", $"b:{i}");
        }

        _setB.Remove(["a:1", "a:2", "a:3"]);
        _counter = new CounterValue();
        _set = new SetValue();
        _increment = CrdtOperation.Count(1);
        _addAndRemove = CrdtOperation.ChangeSet([RawJsonValue.Parse("\"news\"")], ["old:0"]);
    }

    [Benchmark]
    public long CounterMerge8Replicas()
    {
        PositiveNegativeCounter merged = _counterA.Clone();
        merged.Merge(_counterB);
        return merged.Value;
    }

    [Benchmark]
    public int SetMerge100Elements()
    {
        ObservedRemoveSet merged = _setA.Clone();
        merged.Merge(_setB);
        return merged.Count;
    }

    [Benchmark]
    public bool CounterApplyIncrement() => _counter.TryApply(_increment, "op", "replica1", out _);

    [Benchmark]
    public bool SetApplyAddAndRemove() => _set.TryApply(_addAndRemove, "op", "replica1", out _);
}

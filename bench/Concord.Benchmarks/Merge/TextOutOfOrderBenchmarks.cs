using BenchmarkDotNet.Attributes;
using Concord.Crdt.Text;

namespace Concord.Benchmarks.Merge;

/// <summary>
/// What a text document pays for updates that arrive in the reverse of their dependency order: all but the last wait,
/// and the last lets every one of them in. The cost should grow with the count, not its square.
/// </summary>
[MemoryDiagnoser]
public class TextOutOfOrderBenchmarks
{
    private byte[][] _updates = null!;

    [Params(10_000, 20_000, 40_000)]
    public int Updates { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var writer = new ReplicatedText("writer");
        _updates = Enumerable.Range(0, Updates).Select(i => writer.Insert(i, "x")).ToArray();
    }

    [Benchmark]
    public int ReverseOrder()
    {
        var reader = new ReplicatedText("reader");
        for (int i = _updates.Length - 1; i >= 0; i--)
        {
            reader.ApplyUpdate(_updates[i]);
        }

        return reader.ToString().Length;
    }
}

using BenchmarkDotNet.Attributes;
using Concord.Clock;

namespace Concord.Benchmarks.Clock;

/// <summary>Cost of one clock reading on the system wall clock (target: under 50 ns).</summary>
[MemoryDiagnoser]
public class HlcTickBenchmarks
{
    private readonly HybridLogicalClock _clock = new("bench-node");

    [Benchmark]
    public HlcTimestamp Tick() => _clock.Now();

    [Benchmark]
    public string TickAndFormat() => _clock.Now().ToString();
}

using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Concord.Benchmarks.Clock.HlcTickBenchmarks).Assembly).Run(args);

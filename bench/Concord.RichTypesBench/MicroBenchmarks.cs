using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Concord.RichTypesBench;

/// <summary>Runs BenchmarkDotNet suites in this process and hands back each benchmark's mean in nanoseconds.</summary>
internal static class MicroBenchmarks
{
    public static Dictionary<string, double> Run<T>()
    {
        IConfig config = ManualConfig.CreateEmpty()
            .AddJob(Job.Default.WithWarmupCount(5).WithIterationCount(15).WithToolchain(InProcessEmitToolchain.Instance))
            .AddLogger(NullLogger.Instance)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .WithOptions(ConfigOptions.DisableLogFile);
        Summary summary = BenchmarkRunner.Run<T>(config);
        var means = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (BenchmarkReport report in summary.Reports)
        {
            string parameters = string.Join(",", report.BenchmarkCase.Parameters.Items.Select(p => p.Value));
            string name = report.BenchmarkCase.Descriptor.WorkloadMethod.Name + (parameters.Length > 0 ? $"({parameters})" : string.Empty);
            means[name] = report.ResultStatistics?.Mean ?? double.NaN;
        }

        return means;
    }
}

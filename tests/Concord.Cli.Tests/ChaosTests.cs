using System.Globalization;
using Concord.Testing;
using Concord.Testing.Chaos;
using Xunit.Abstractions;

namespace Concord.Cli.Tests;

/// <summary>
/// The chaos suite, bounded for CI: five clients write at random (plain fields, counters, sets, text) through a fault
/// proxy to <c>concord serve</c> under each profile, then the network heals and every replica must equal the server,
/// every local write must have been applied once, and every counter must be the sum of its increments. A failure
/// names its seed; <c>CONCORD_CHAOS_SEED</c> replays it. The longer soak: <c>dotnet run -c Release --project tests/Concord.Chaos</c>.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    public static TheoryData<string> Profiles => new(ChaosProfile.All.Select(p => p.Name));

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task Every_replica_converges_and_nothing_is_lost_or_applied_twice(string profile)
    {
        int seed = Environment.GetEnvironmentVariable("CONCORD_CHAOS_SEED") is { Length: > 0 } replay
            ? int.Parse(replay, CultureInfo.InvariantCulture)
            : Random.Shared.Next(1, 1_000_000);

        ChaosReport report = await ChaosRun.RunAsync(ChaosProfile.Named(profile), seed, clientCount: 5, writing: TimeSpan.FromSeconds(6), convergeWithin: TimeSpan.FromMinutes(2));

        output.WriteLine(report.ToString());
        TestReport.Write(report.ToString());
        Assert.True(report.Writes > 100, $"only {report.Writes} writes were made");
        Assert.True(profile.Contains("latency", StringComparison.Ordinal) || report.FaultsInjected > 0, "no fault was injected");
    }
}

using Concord.Client.Sync;

namespace Concord.Client.Tests;

public sealed class BackoffTests
{
    private static readonly TimeSpan Min = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    [Fact]
    public void The_first_retry_comes_after_250_to_500_ms_and_the_delays_grow_with_full_jitter_to_the_cap()
    {
        var random = new Random(7);
        TimeSpan[] first = Enumerable.Range(0, 1000).Select(_ => Backoff.Delay(0, Min, Max, random)).ToArray();
        TimeSpan[] fifth = Enumerable.Range(0, 1000).Select(_ => Backoff.Delay(4, Min, Max, random)).ToArray();
        TimeSpan[] late = Enumerable.Range(0, 1000).Select(_ => Backoff.Delay(40, Min, Max, random)).ToArray();

        Assert.All(first, d => Assert.InRange(d.TotalMilliseconds, 250, 500));
        Assert.All(fifth, d => Assert.InRange(d.TotalMilliseconds, 250, 8000));
        Assert.All(late, d => Assert.InRange(d.TotalMilliseconds, 250, 30_000));

        // Full jitter: the delays spread over the whole range instead of clustering at its top.
        Assert.True(fifth.Min().TotalMilliseconds < 1000 && fifth.Max().TotalMilliseconds > 7000);
        Assert.True(late.Max().TotalMilliseconds > 29_000);
    }
}

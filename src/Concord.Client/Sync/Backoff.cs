namespace Concord.Client.Sync;

/// <summary>
/// Exponential backoff with full jitter: the n-th retry (from 0) waits a random time between min and
/// min · 2ⁿ⁺¹, capped at max. With the defaults the first retry comes after 250–500 ms and none after more than 30 s.
/// </summary>
/// <remarks>The jitter spreads clients that failed together so they do not all come back in the same instant.</remarks>
internal static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan min, TimeSpan max, Random random)
    {
        double ceiling = Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30) + 1));
        double floor = Math.Min(min.TotalMilliseconds, ceiling);
        return TimeSpan.FromMilliseconds(floor + (random.NextDouble() * (ceiling - floor)));
    }
}

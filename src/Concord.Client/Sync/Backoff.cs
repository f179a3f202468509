namespace Concord.Client.Sync;

/// <summary>Exponential backoff with jitter: the n-th retry waits a random time in [d/2, d], d = min · 2ⁿ capped at max.</summary>
/// <remarks>The jitter spreads clients that failed together so they do not all come back in the same instant.</remarks>
internal static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan min, TimeSpan max, Random random)
    {
        double ceiling = Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromMilliseconds((ceiling / 2) + (random.NextDouble() * ceiling / 2));
    }
}

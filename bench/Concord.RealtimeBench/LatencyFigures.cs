namespace Concord.RealtimeBench;

/// <summary>Percentiles of a set of latencies, in milliseconds (nearest rank).</summary>
internal sealed record LatencyFigures(double P50, double P95, double P99, double Max, int Count)
{
    public static LatencyFigures From(double[] milliseconds)
    {
        if (milliseconds.Length == 0)
        {
            return new LatencyFigures(double.NaN, double.NaN, double.NaN, double.NaN, 0);
        }

        double[] sorted = milliseconds.Order().ToArray();
        double At(double quantile) => sorted[Math.Max(0, (int)Math.Ceiling(quantile * sorted.Length) - 1)];
        return new LatencyFigures(At(0.50), At(0.95), At(0.99), sorted[^1], sorted.Length);
    }
}

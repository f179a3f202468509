using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace Concord.LoadTest;

/// <summary>One push request, timed from sending it to having read its whole answer, and the figures made of many.</summary>
internal static class TimedPush
{
    /// <summary>Posts <paramref name="body"/> to <c>push</c>: how long it took (ms) and the status it was answered with.</summary>
    public static async Task<(double Milliseconds, int Status)> PostAsync(HttpClient http, byte[] body, CancellationToken cancellationToken = default)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        long start = Stopwatch.GetTimestamp();
        using HttpResponseMessage response = await http.PostAsync("push", content, cancellationToken);
        return (Stopwatch.GetElapsedTime(start).TotalMilliseconds, (int)response.StatusCode);
    }

    /// <summary>The <paramref name="fraction"/> percentile of <paramref name="values"/>, sorted in place.</summary>
    public static double Percentile(double[] values, double fraction)
    {
        Array.Sort(values);
        return values[Math.Min(values.Length - 1, (int)(values.Length * fraction))];
    }

    public static double Median(IEnumerable<double> values) => Percentile(values.ToArray(), 0.5);

    public static string Ms(double milliseconds) => milliseconds.ToString(milliseconds < 10 ? "N2" : "N1", CultureInfo.InvariantCulture) + " ms";

    /// <summary>The load average when a run starts, so that a reader knows what else the machine was doing.</summary>
    public static string LoadAverage() => File.Exists("/proc/loadavg")
        ? "load average " + string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))
        : string.Empty;
}

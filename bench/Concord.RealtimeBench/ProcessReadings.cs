using System.Globalization;

namespace Concord.RealtimeBench;

/// <summary>What Linux tells about a process (CPU time, resident memory) and the machine (load), from /proc.</summary>
internal static class ProcessReadings
{
    // /proc counts CPU time in USER_HZ, which the kernel ABI fixes at 100 on every architecture it runs on.
    private const double TicksPerSecond = 100;

    /// <summary>User plus system CPU time of every thread of the process, in seconds (10 ms resolution).</summary>
    public static double CpuSeconds(int processId)
    {
        string stat = File.ReadAllText($"/proc/{processId}/stat");

        // The command name in parentheses may hold spaces; fields are counted after it (state is field 3).
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>Resident set size (VmRSS) in bytes.</summary>
    public static long ResidentBytes(int processId) => StatusKilobytes(processId, "VmRSS:") * 1024;

    /// <summary>The 1, 5 and 15 minute load averages.</summary>
    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>This process's soft limit of open files.</summary>
    public static long OpenFileLimit()
    {
        foreach (string line in File.ReadLines("/proc/self/limits"))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                string soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return soft == "unlimited" ? long.MaxValue : long.Parse(soft, CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static long StatusKilobytes(int processId, string field)
    {
        foreach (string line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"{field} missing from /proc/{processId}/status.");
    }
}

namespace Concord.LoadTest;

/// <summary>Peak resident memory of a process, as Linux counts it (VmHWM).</summary>
internal static class PeakMemory
{
    public static double MegabytesOf(int processId)
    {
        foreach (string line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }

    public static double OfThisProcess() => MegabytesOf(Environment.ProcessId);
}

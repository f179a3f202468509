using System.Diagnostics;

namespace Concord.Bench;

/// <summary>Runs a program the benchmarks need (node, npm) to its end and returns what it printed.</summary>
internal static class ProcessRunner
{
    /// <exception cref="InvalidOperationException">The program could not start, or ended with a failure (its error output is in the message).</exception>
    public static string Run(string program, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? string.Empty };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', info.ArgumentList)} failed: {error.Result}");
        }

        return output;
    }
}

using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Concord.RealtimeBench;

/// <summary>
/// A server in its own process, started through <c>with-open-files.sh</c> (which execs it, so the process id is the
/// server's own), so that its CPU time and memory are its own and 10,000 connections fit.
/// </summary>
internal sealed partial class ServerUnderTest : IAsyncDisposable
{
    private const int KeptLines = 50;

    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();

    private ServerUnderTest(Process process) => _process = process;

    /// <summary>The address the server printed, e.g. <c>http://127.0.0.1:41153/</c>.</summary>
    public Uri Root { get; private set; } = null!;

    public int ProcessId => _process.Id;

    public double CpuSeconds => ProcessReadings.CpuSeconds(_process.Id);

    public long ResidentBytes => ProcessReadings.ResidentBytes(_process.Id);

    /// <summary>The last lines the server wrote, for a run that went wrong.</summary>
    public string LastLines
    {
        get
        {
            lock (_lastLines)
            {
                return string.Join('\n', _lastLines);
            }
        }
    }

    /// <summary>Starts <paramref name="command"/> and waits until it prints <c>listening on http://…</c>.</summary>
    /// <param name="environment">Variables set for the server only (runtime settings to compare, say).</param>
    public static async Task<ServerUnderTest> StartAsync(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "with-open-files.sh"));
        foreach (string part in command)
        {
            info.ArgumentList.Add(part);
        }

        // How this process runs its own sockets is no setting of the server's.
        info.Environment.Remove(SocketCompletions.InlineVariable);
        foreach ((string name, string value) in environment)
        {
            info.Environment[name] = value;
        }

        Process process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {command[0]}.");
        var server = new ServerUnderTest(process);
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => server.Seen(e.Data, listening);
        process.ErrorDataReceived += (_, e) => server.Seen(e.Data, null);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            server.Root = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private void Seen(string? line, TaskCompletionSource<Uri>? listening)
    {
        if (line is null)
        {
            listening?.TrySetException(new InvalidOperationException("The server exited before listening:\n" + LastLines));
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > KeptLines)
            {
                _lastLines.Dequeue();
            }
        }

        if (listening is not null && ListeningLine().Match(line) is { Success: true } match)
        {
            listening.TrySetResult(new Uri(match.Groups[1].Value.TrimEnd('/') + "/"));
        }
    }

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex ListeningLine();
}

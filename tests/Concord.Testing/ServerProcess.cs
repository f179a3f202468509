using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Concord.Testing;

/// <summary>
/// <c>concord serve</c> as a separate OS process, started the way the README says, so tests can
/// kill it for real. The CLI's build output is found beside the test assembly.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private ServerProcess(Process process, Uri root)
    {
        _process = process;
        Root = root;
    }

    public Uri Root { get; }

    public Uri SyncUri => new(Root, "api/sync/");

    public int ProcessId => _process.Id;

    /// <summary>The CLI assembly in this test run's output folder.</summary>
    public static string CliPath => Path.Combine(AppContext.BaseDirectory, "Concord.Cli.dll");

    /// <summary>Starts <c>concord serve --db {databasePath} --urls http://127.0.0.1:0</c> and waits for the address it prints.</summary>
    public static async Task<ServerProcess> StartAsync(string databasePath, params string[] extraArgs)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(databasePath)!,
        };
        foreach (string arg in new[] { CliPath, "serve", "--db", databasePath, "--urls", "http://127.0.0.1:0" }.Concat(extraArgs))
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start dotnet.");
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new List<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException("The server exited before listening:\n" + string.Join('\n', output)));
                return;
            }

            lock (output)
            {
                output.Add(e.Data);
            }

            Match match = ListeningLine().Match(e.Data);
            if (match.Success)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value.TrimEnd('/') + "/"));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.Add(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            Uri root = await Wait.ForAsync(listening.Task, "the server to print its address", TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            var server = new ServerProcess(process, root);
            server._output.AddRange(output);
            return server;
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex ListeningLine();
}

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
    private readonly List<string> _output;
    private readonly string _databasePath;
    private readonly IReadOnlyDictionary<string, string>? _environment;
    private readonly string[] _extraArgs;

    private ServerProcess(Process process, Uri root, string databasePath, IReadOnlyDictionary<string, string>? environment, string[] extraArgs, List<string> output)
    {
        _process = process;
        _output = output;
        Root = root;
        _databasePath = databasePath;
        _environment = environment;
        _extraArgs = extraArgs;
    }

    public Uri Root { get; }

    public Uri SyncUri => new(Root, "api/sync/");

    public int ProcessId => _process.Id;

    /// <summary>The CLI assembly in this test run's output folder.</summary>
    public static string CliPath => Path.Combine(AppContext.BaseDirectory, "Concord.Cli.dll");

    /// <summary>Starts <c>concord serve --db {databasePath} --urls http://127.0.0.1:0</c> and waits for the address it prints.</summary>
    public static Task<ServerProcess> StartAsync(string databasePath, params string[] extraArgs) =>
        StartAsync(databasePath, null, new Uri("http://127.0.0.1:0"), extraArgs);

    /// <summary>Starts <c>concord serve</c> with <paramref name="environment"/> set (configuration such as <c>Concord__Collections__…</c>), listening on <paramref name="listen"/>.</summary>
    public static async Task<ServerProcess> StartAsync(string databasePath, IReadOnlyDictionary<string, string>? environment, Uri listen, params string[] extraArgs)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(databasePath)!,
        };
        foreach (string arg in new[] { CliPath, "serve", "--db", databasePath, "--urls", listen.ToString().TrimEnd('/') }.Concat(extraArgs))
        {
            info.ArgumentList.Add(arg);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
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
            return new ServerProcess(process, root, databasePath, environment, extraArgs, output);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Starts the same server again, on the same address and file, after it was killed.</summary>
    public Task<ServerProcess> RestartAsync() => StartAsync(_databasePath, _environment, Root, _extraArgs);

    /// <summary>What the process printed, for a failing test's message.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
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

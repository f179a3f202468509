using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Concord.LoadTest;

/// <summary><c>concord serve</c> as shipped, in its own process, so its memory is its own.</summary>
internal sealed partial class ServerUnderTest : IAsyncDisposable
{
    private readonly Process _process;

    private ServerUnderTest(Process process, Uri syncUri)
    {
        _process = process;
        SyncUri = syncUri;
    }

    public Uri SyncUri { get; }

    public double PeakMegabytes => PeakMemory.MegabytesOf(_process.Id);

    /// <summary>Starts <c>concord serve</c> on <paramref name="databasePath"/> with <paramref name="arguments"/> besides (--jwt-*, --Concord:Key=value).</summary>
    public static async Task<ServerUnderTest> StartAsync(string databasePath, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Concord.Cli.dll"), "serve", "--db", databasePath, "--urls", "http://127.0.0.1:0", .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process = Process.Start(info)!;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            Match match = Listening().Match(line);
            if (match.Success)
            {
                _ = process.StandardOutput.ReadToEndAsync();
                _ = process.StandardError.ReadToEndAsync();
                return new ServerUnderTest(process, new Uri(match.Groups[1].Value.TrimEnd('/') + "/api/sync/"));
            }
        }

        throw new InvalidOperationException("The server did not start: " + await process.StandardError.ReadToEndAsync());
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex Listening();
}

using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Concord.Testing;

namespace Concord.Cli.Tests;

public sealed partial class ServeCommandTests
{
    [Fact]
    public async Task Serve_with_no_arguments_uses_a_sqlite_file_in_the_current_folder_and_prints_its_url()
    {
        using var folder = new TempDirectory();
        var info = new ProcessStartInfo("dotnet", [ServerProcess.CliPath, "serve"])
        {
            WorkingDirectory = folder.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // Port 0: the default port may be taken on a shared machine; the address printed is what matters.
        info.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        using Process process = Process.Start(info)!;
        try
        {
            string? line;
            Match match;
            do
            {
                line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                Assert.NotNull(line);
                match = Listening().Match(line);
            }
            while (!match.Success);

            using var http = new HttpClient { BaseAddress = new Uri(match.Groups[1].Value) };
            Assert.Equal("Healthy", await http.GetStringAsync("/health"));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/sync/sync.json")).StatusCode);
            Assert.True(File.Exists(folder.File("concord.db")));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Serve_refuses_an_address_it_cannot_bind_with_a_clear_message()
    {
        using var folder = new TempDirectory();
        await using ServerProcess first = await ServerProcess.StartAsync(folder.File("a.db"));
        var info = new ProcessStartInfo("dotnet", [ServerProcess.CliPath, "serve", "--db", folder.File("b.db"), "--urls", first.Root.ToString().TrimEnd('/')])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process second = Process.Start(info)!;
        string error = await second.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await second.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("cannot listen", error, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex Listening();
}

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

    [Fact]
    public async Task Serve_takes_its_settings_from_a_file_the_environment_and_the_command_line()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(folder.File("concord.json"), """
            { "Concord": { "Limits": { "MaxBatchChanges": 500 }, "MaxClockDrift": "00:00:30",
              "Collections": { "posts": { "Policy": "server-wins", "Fields": { "likes": "counter", "body": "text" },
                                          "Schema": { "title": { "Type": "String", "Required": true, "MaxLength": 100 } }, "AllowUndeclaredFields": false } } } }
            """);
        var environment = new Dictionary<string, string> { ["Concord__Collections__notes__Fields__tags"] = "set" };
        await using ServerProcess server = await ServerProcess.StartAsync(folder.File("configured.db"), environment, new Uri("http://127.0.0.1:0"), "--config", folder.File("concord.json"), "--Concord:Limits:MaxPullLimit=6000");
        using var http = new HttpClient();

        using System.Text.Json.JsonDocument description = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(server.SyncUri, "sync.json")));
        System.Text.Json.JsonElement root = description.RootElement;

        Assert.Equal(500, root.GetProperty("limits").GetProperty("maxBatchChanges").GetInt32());
        Assert.Equal(6000, root.GetProperty("limits").GetProperty("maxPullLimit").GetInt32());
        Assert.Equal(30_000, root.GetProperty("maxClockDriftMs").GetInt64());
        System.Text.Json.JsonElement[] collections = root.GetProperty("collections").EnumerateArray().ToArray();
        System.Text.Json.JsonElement posts = Assert.Single(collections, c => c.GetProperty("name").GetString() == "posts");
        Assert.Equal("server-wins", posts.GetProperty("policy").GetString());
        Assert.Equal("counter", posts.GetProperty("fields").GetProperty("likes").GetString());
        Assert.Equal("text", posts.GetProperty("fields").GetProperty("body").GetString());
        Assert.Equal(100, posts.GetProperty("schema").GetProperty("title").GetProperty("maxLength").GetInt32());
        Assert.False(posts.GetProperty("allowUndeclaredFields").GetBoolean());
        Assert.Equal("set", Assert.Single(collections, c => c.GetProperty("name").GetString() == "notes").GetProperty("fields").GetProperty("tags").GetString());
    }

    [Theory]
    [InlineData("""{ "Concord": { "Limitz": { "MaxBatchChanges": 500 } } }""", "Concord:Limitz")]
    [InlineData("""{ "Concord": { "Limits": { "MaxBatchChangez": 500 } } }""", "MaxBatchChangez")]
    [InlineData("""{ "Concord": { "Limits": { "MaxBatchChanges": 0 } } }""", "MaxBatchChanges")]
    [InlineData("""{ "Concord": { "Collections": { "posts": { "Fields": { "likes": "abacus" } } } } }""", "abacus")]
    [InlineData("""{ "Concord": { "Collections": { "no spaces": { } } } }""", "no spaces")]
    [InlineData("""{ "Concord": { "Cors": { "AllowedOrigins": [ "https://app.example.com/" ] } } }""", "https://app.example.com/")]
    [InlineData("""{ "Concord": { "Realtime": { "MaxConnectionsPerUser": 0 } } }""", "MaxConnectionsPerUser")]
    [InlineData("""{ "Kestrel": { "Limits": { "RequestHeaderTimeout": "00:00:05" } } }""", "RequestHeaderTimeout")]
    [InlineData("""{ "Concord": """, "")]
    public async Task Serve_refuses_settings_it_cannot_use_with_a_clear_message(string json, string named)
    {
        using var folder = new TempDirectory();
        File.WriteAllText(folder.File("bad.json"), json);
        var info = new ProcessStartInfo("dotnet", [ServerProcess.CliPath, "serve", "--db", folder.File("bad.db"), "--urls", "http://127.0.0.1:0", "--config", folder.File("bad.json")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(info)!;
        string error = await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("concord: the settings are not valid", error, StringComparison.Ordinal);
        Assert.Contains(named, error, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("bad.db")));
    }

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex Listening();
}

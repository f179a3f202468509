using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Concord.Cli.Commands;

/// <summary><c>concord serve</c>: a sync server on an embedded SQLite file, with no configuration needed.</summary>
internal static class ServeCommand
{
    public const string DefaultUrls = "http://127.0.0.1:5000";
    public const string BasePath = "/api/sync";

    public static Command Create()
    {
        var db = new Option<string>("--db")
        {
            Description = "The SQLite database file (created if missing).",
            DefaultValueFactory = _ => "concord.db",
        };
        var urls = new Option<string?>("--urls")
        {
            Description = $"Where to listen, ';'-separated (default: ASPNETCORE_URLS, else {DefaultUrls}). Port 0 picks a free port.",
        };
        var command = new Command("serve", "Run a sync server on an embedded SQLite file.") { db, urls };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(db)!, parse.GetValue(urls), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string dbPath, string? urls, CancellationToken cancellationToken)
    {
        urls ??= Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultUrls;
        WebApplication app = Build(Path.GetFullPath(dbPath), urls);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync($"concord: cannot listen on {urls}: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        foreach (string address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses)
        {
            Console.WriteLine($"Concord listening on {address}");
        }

        Console.WriteLine($"Sync API at {BasePath}, store {Path.GetFullPath(dbPath)}");
        Console.Out.Flush();
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        return 0;
    }

    private static WebApplication Build(string dbPath, string urls)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls(urls);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddConcord(o => CollectionsConfiguration.Apply(builder.Configuration, o)).AddSqliteStore(dbPath);
        WebApplication app = builder.Build();
        app.MapConcord(BasePath);
        app.MapHealthChecks("/health");
        return app;
    }
}

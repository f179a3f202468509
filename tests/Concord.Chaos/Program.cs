using System.Diagnostics;
using System.Globalization;
using Concord.Testing.Chaos;
using Spectre.Console;

// The chaos soak: every profile of the chaos suite in turn, with fresh seeds, until the time is up.
//   dotnet run -c Release --project tests/Concord.Chaos -- [--minutes 10] [--seed N] [--clients 5] [--writing 20] [--profile NAME]
if (Console.IsOutputRedirected)
{
    // Written to a file or a pipe, the table would otherwise wrap at 80 columns.
    AnsiConsole.Profile.Width = 200;
}

TimeSpan duration = TimeSpan.FromMinutes(Number("--minutes", 10));
int clients = (int)Number("--clients", 5);
TimeSpan writing = TimeSpan.FromSeconds(Number("--writing", 20));
int firstSeed = (int)Number("--seed", Random.Shared.Next(1, 1_000_000));
string? only = Option("--profile");
IReadOnlyList<ChaosProfile> profiles = only is null ? ChaosProfile.All : [ChaosProfile.Named(only)];

var table = new Table().Title($"Concord chaos soak: {clients} clients, {writing.TotalSeconds:N0} s of writes per run")
    .AddColumns("profile", "seed", "writes", "increments", "applied", "faults", "connections", "converged in", "result");
var elapsed = Stopwatch.StartNew();
long writes = 0, faults = 0;
int runs = 0, failures = 0;
for (int seed = firstSeed; elapsed.Elapsed < duration; seed++)
{
    ChaosProfile profile = profiles[runs % profiles.Count];
    AnsiConsole.MarkupLine($"[grey]{elapsed.Elapsed:hh\\:mm\\:ss} {Markup.Escape(profile.Name)}, seed {seed}[/]");
    runs++;
    try
    {
        ChaosReport report = await ChaosRun.RunAsync(profile, seed, clients, writing, TimeSpan.FromMinutes(5));
        writes += report.Writes;
        faults += report.FaultsInjected;
        table.AddRow(Markup.Escape(profile.Name), $"{seed}", $"{report.Writes:N0}", $"{report.Increments:N0}", $"{report.AppliedOps:N0}", $"{report.FaultsInjected:N0}", $"{report.Connections:N0}", $"{report.Converging.TotalSeconds:N1} s", "[green]converged, nothing lost[/]");
    }
    catch (ChaosFailedException ex)
    {
        failures++;
        table.AddRow(Markup.Escape(profile.Name), $"{seed}", "-", "-", "-", "-", "-", "-", $"[red]{Markup.Escape(ex.Message)}[/]");
    }
}

AnsiConsole.Write(table);
AnsiConsole.MarkupLine($"{runs} runs, {writes:N0} writes, {faults:N0} faults injected, {failures} failed, in {elapsed.Elapsed:hh\\:mm\\:ss}");
return failures == 0 ? 0 : 1;

double Number(string name, double fallback) =>
    Option(name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

using System.CommandLine;
using Concord.Cli.Commands;

var root = new RootCommand("Concord: a local-first sync engine for .NET.")
{
    ServeCommand.Create(),
};

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);

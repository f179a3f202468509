using Concord.Server;
using Concord.Server.Merging;
using Microsoft.Extensions.Configuration;

namespace Concord.Cli.Commands;

/// <summary>
/// Declares collections from configuration (<c>Concord:Collections:{name}:Policy</c> and
/// <c>Concord:Collections:{name}:Fields:{field}</c> = <c>counter</c>, <c>set</c> or <c>text</c>), so that a server
/// started from the command line, or with <c>Concord__Collections__…</c> environment variables, has CRDT fields.
/// </summary>
internal static class CollectionsConfiguration
{
    public static void Apply(IConfiguration configuration, ConcordServerOptions options)
    {
        foreach (IConfigurationSection collection in configuration.GetSection("Concord:Collections").GetChildren())
        {
            options.Collection(collection.Key, c =>
            {
                if (collection["Policy"] is { } policy)
                {
                    c.Policy = policy switch
                    {
                        "lww" => ConflictPolicy.LastWriterWins,
                        "server-wins" => ConflictPolicy.ServerWins,
                        "client-wins" => ConflictPolicy.ClientWins,
                        _ => throw new InvalidOperationException($"Concord:Collections:{collection.Key}:Policy must be lww, server-wins or client-wins, not '{policy}'."),
                    };
                }

                foreach (IConfigurationSection field in collection.GetSection("Fields").GetChildren())
                {
                    _ = field.Value switch
                    {
                        "counter" => c.Counter(field.Key),
                        "set" => c.Set(field.Key),
                        "text" => c.Text(field.Key),
                        _ => throw new InvalidOperationException($"Concord:Collections:{collection.Key}:Fields:{field.Key} must be counter, set or text, not '{field.Value}'."),
                    };
                }
            });
        }
    }
}

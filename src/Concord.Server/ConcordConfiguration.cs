using Concord.Protocol;
using Concord.Server.Merging;
using Concord.Server.Schema;
using Microsoft.Extensions.Configuration;

namespace Concord.Server;

/// <summary>
/// Reads <see cref="ConcordServerOptions"/> from ASP.NET Core configuration (a <c>Concord</c> section of
/// <c>appsettings.json</c>, <c>Concord__…</c> environment variables, the command line). An unknown key is an error
/// at start, not a setting silently ignored.
/// </summary>
/// <example><code>
/// builder.Services.AddConcord(builder.Configuration.GetSection("Concord")).AddSqliteStore("concord.db");
/// // "Concord": { "Limits": { "MaxBatchChanges": 500 },
/// //              "Collections": { "posts": { "Policy": "server-wins", "Fields": { "likes": "counter", "body": "text" } } } }
/// </code></example>
public static class ConcordConfiguration
{
    private static readonly string[] Keys = ["Limits", "MaxClockDrift", "NodeId", "DefaultTenant", "AllowUndeclaredCollections", "Realtime", "Auth", "RateLimits", "Cors", "Collections"];

    /// <summary>Sets what <paramref name="section"/> names; leaves the rest as it is.</summary>
    /// <exception cref="InvalidOperationException">The section holds an unknown key or a value of the wrong kind.</exception>
    public static ConcordServerOptions Bind(this ConcordServerOptions options, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(section);
        foreach (IConfigurationSection key in section.GetChildren())
        {
            if (!Keys.Contains(key.Key, StringComparer.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"{key.Path} is not a Concord setting; the settings are {string.Join(", ", Keys)}.");
            }
        }

        IConfigurationSection limits = section.GetSection("Limits");
        if (limits.Exists())
        {
            options.Limits = limits.Get<ProtocolLimits>(Strict) ?? options.Limits;
        }

        options.MaxClockDrift = section.GetValue("MaxClockDrift", options.MaxClockDrift);
        options.NodeId = section["NodeId"] ?? options.NodeId;
        options.DefaultTenant = section["DefaultTenant"] ?? options.DefaultTenant;
        options.AllowUndeclaredCollections = section.GetValue("AllowUndeclaredCollections", options.AllowUndeclaredCollections);
        section.GetSection("Realtime").Bind(options.Realtime, Strict);
        section.GetSection("Auth").Bind(options.Auth, Strict);
        section.GetSection("RateLimits").Bind(options.RateLimits, Strict);
        section.GetSection("Cors").Bind(options.Cors, Strict);
        foreach (IConfigurationSection collection in section.GetSection("Collections").GetChildren())
        {
            options.Collection(collection.Key, c => Bind(c, collection));
        }

        return options;
    }

    private static void Bind(CollectionOptions collection, IConfigurationSection section)
    {
        foreach (IConfigurationSection key in section.GetChildren())
        {
            if (key.Key is not ("Policy" or "Fields" or "Schema" or "AllowUndeclaredFields"))
            {
                throw new InvalidOperationException($"{key.Path} is not a collection setting; the settings are Policy, Fields, Schema and AllowUndeclaredFields.");
            }
        }

        if (section["Policy"] is { } policy)
        {
            collection.Policy = policy switch
            {
                "lww" => ConflictPolicy.LastWriterWins,
                "server-wins" => ConflictPolicy.ServerWins,
                "client-wins" => ConflictPolicy.ClientWins,
                _ => throw new InvalidOperationException($"{section.Path}:Policy must be lww, server-wins or client-wins, not '{policy}'."),
            };
        }

        collection.AllowUndeclaredFields = section.GetValue("AllowUndeclaredFields", collection.AllowUndeclaredFields);
        foreach (IConfigurationSection field in section.GetSection("Schema").GetChildren())
        {
            FieldRule rule = field.Get<FieldRule>(Strict) ?? throw new InvalidOperationException($"{field.Path} must give a Type.");
            collection.Field(field.Key, rule.Type, rule.Required, rule.MaxLength);
        }

        foreach (IConfigurationSection field in section.GetSection("Fields").GetChildren())
        {
            _ = field.Value switch
            {
                "counter" => collection.Counter(field.Key),
                "set" => collection.Set(field.Key),
                "text" => collection.Text(field.Key),
                _ => throw new InvalidOperationException($"{field.Path} must be counter, set or text, not '{field.Value}'."),
            };
        }
    }

    private static void Strict(BinderOptions binder) => binder.ErrorOnUnknownConfiguration = true;
}

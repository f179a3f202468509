using Concord.Clock;
using Concord.Protocol;
using Concord.Validation;

namespace Concord.Server;

/// <summary>Settings of a Concord server. Validated when the app starts; fixed afterwards.</summary>
/// <example><code>
/// builder.Services.AddConcord(o =>
/// {
///     o.MaxClockDrift = TimeSpan.FromSeconds(30);
///     o.Limits = o.Limits with { MaxBatchChanges = 500 };
///     o.Collection("todos");
/// }).AddSqliteStore("concord.db");
/// </code></example>
public sealed class ConcordServerOptions
{
    private readonly Dictionary<string, CollectionOptions> _collections = new(StringComparer.Ordinal);

    /// <summary>Size limits, published in <c>sync.json</c>.</summary>
    public ProtocolLimits Limits { get; set; } = new();

    /// <summary>How far ahead of the server's clock a change may be stamped (<c>SYNC:CLOCK_DRIFT</c> beyond). One minute by default.</summary>
    public TimeSpan MaxClockDrift { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The server's node id in its clock readings.</summary>
    public string NodeId { get; set; } = "server";

    /// <summary>The tenant every request belongs to while no authentication assigns one.</summary>
    public string DefaultTenant { get; set; } = "default";

    /// <summary>Whether changes to collections that were not declared with <see cref="Collection"/> are accepted. True by default.</summary>
    public bool AllowUndeclaredCollections { get; set; } = true;

    /// <summary>How requests are tied to users and tenants.</summary>
    public Auth.AuthOptions Auth { get; set; } = new();

    /// <summary>How many requests a user and a tenant may make.</summary>
    public RateLimiting.RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>Which pages on other origins may use the server from a browser (CORS, and the origin of realtime upgrades).</summary>
    public Cors.CrossOriginOptions Cors { get; set; } = new();

    /// <summary>WebSocket and event stream settings.</summary>
    public Realtime.RealtimeOptions Realtime { get; set; } = new();

    /// <summary>The declared collections.</summary>
    public IReadOnlyDictionary<string, CollectionOptions> Collections => _collections;

    /// <summary>Declares a collection, or configures one declared before.</summary>
    public ConcordServerOptions Collection(string name, Action<CollectionOptions>? configure = null)
    {
        if (!NameRules.IsValidCollectionName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid collection name.", nameof(name));
        }

        if (!_collections.TryGetValue(name, out CollectionOptions? collection))
        {
            collection = new CollectionOptions(name);
            _collections.Add(name, collection);
        }

        configure?.Invoke(collection);
        return this;
    }

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Limits);
        Limits.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxClockDrift, TimeSpan.Zero, nameof(MaxClockDrift));
        ArgumentNullException.ThrowIfNull(Realtime);
        Realtime.Validate();
        ArgumentNullException.ThrowIfNull(Auth);
        Auth.Validate();
        ArgumentNullException.ThrowIfNull(RateLimits);
        RateLimits.Validate();
        ArgumentNullException.ThrowIfNull(Cors);
        Cors.Validate();
        if (!HlcTimestamp.IsValidNodeId(NodeId))
        {
            throw new ArgumentException("NodeId must be a valid clock node id.", nameof(NodeId));
        }

        if (!NameRules.IsValidId(DefaultTenant, 128))
        {
            throw new ArgumentException("DefaultTenant must be 1-128 printable characters.", nameof(DefaultTenant));
        }
    }
}

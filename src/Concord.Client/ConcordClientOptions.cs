using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Concord.Client;

/// <summary>Settings of a <see cref="ConcordClient"/>. Read once when it opens.</summary>
/// <example><code>
/// var options = new ConcordClientOptions
/// {
///     DatabasePath = "app.db",
///     ServerUrl = new Uri("http://127.0.0.1:5000/api/sync"),
/// };
/// </code></example>
public sealed record ConcordClientOptions
{
    /// <summary>The local SQLite file; created if missing.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>The server's sync API base. Null: local only, no sync.</summary>
    public Uri? ServerUrl { get; init; }

    /// <summary>The HTTP client to reach <see cref="ServerUrl"/> with; the caller keeps ownership. A new one when null.</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>How the client reaches the server: a WebSocket with HTTP and server-sent events as the fallback (default), or only one of them.</summary>
    public SyncTransportMode Transport { get; init; } = SyncTransportMode.Automatic;

    /// <summary>How often the client pings over a WebSocket; a server silent for two intervals is taken for gone. 30 seconds by default.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long opening a connection may take before the client tries again (or, for a WebSocket upgrade that hangs, falls back to HTTP).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gives the access token for each request and connection (sent as <c>Authorization: Bearer</c>); null, or a
    /// null token, sends none. Called again for every reconnection, so a refreshed token is picked up.
    /// </summary>
    public Func<CancellationToken, ValueTask<string?>>? AccessTokenProvider { get; init; }

    /// <summary>
    /// The workspace (tenant) this client syncs, sent with every request; null (the default) lets the server choose:
    /// the token's tenant, else the user's default workspace. One local database holds one workspace: use
    /// <see cref="ConcordClient.WithTenantAsync"/> for others.
    /// </summary>
    public string? Workspace { get; init; }

    /// <summary>Where the client's meter (<c>Concord.Client</c>) comes from; the client makes its own when null.</summary>
    public System.Diagnostics.Metrics.IMeterFactory? MeterFactory { get; init; }

    /// <summary>How messages travel: JSON (default) or CBOR, which is smaller.</summary>
    public ProtocolEncoding Encoding { get; init; } = ProtocolEncoding.Json;

    /// <summary>Pull only these collections; all when null.</summary>
    public IReadOnlyList<string>? Collections { get; init; }

    /// <summary>Most changes sent in one push.</summary>
    public int PushBatchSize { get; init; } = 500;

    /// <summary>Records asked for in one pull page.</summary>
    public int PullPageSize { get; init; } = 1000;

    /// <summary>How often the background loop syncs when nothing prompts it and the server sends no pokes (no WebSocket, no event stream).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>First retry delay after a failed round; it doubles up to <see cref="MaxBackoff"/>, with jitter.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest retry delay.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Outbox size at which <see cref="ConcordClient.ShouldBackOff"/> turns true.</summary>
    public long BackOffAtCount { get; init; } = 10_000;

    /// <summary>Outbox bytes at which <see cref="ConcordClient.ShouldBackOff"/> turns true.</summary>
    public long BackOffAtBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>How typed collections turn objects into fields (web defaults: camelCase).</summary>
    public JsonSerializerOptions SerializerOptions { get; init; } = new(JsonSerializerDefaults.Web);

    /// <summary>The wall clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where the client logs.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(DatabasePath);
        ArgumentOutOfRangeException.ThrowIfLessThan(PushBatchSize, 1, nameof(PushBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(PullPageSize, 1, nameof(PullPageSize));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero, nameof(PollInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MinBackoff, TimeSpan.Zero, nameof(MinBackoff));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBackoff, MinBackoff, nameof(MaxBackoff));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HeartbeatInterval, TimeSpan.Zero, nameof(HeartbeatInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        if (Workspace is not null && !Validation.NameRules.IsValidId(Workspace, 128))
        {
            throw new ArgumentException("Workspace must be 1-128 printable characters.", nameof(Workspace));
        }

        if (Collections is not null && Collections.Any(c => !Validation.NameRules.IsValidCollectionName(c)))
        {
            throw new ArgumentException("Collections must hold valid collection names.", nameof(Collections));
        }
    }
}

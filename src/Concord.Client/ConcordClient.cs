using System.Security.Cryptography;
using Concord.Client.Collections;
using Concord.Client.LiveQueries;
using Concord.Client.Local;
using Concord.Client.Outbox;
using Concord.Client.Sync;
using Concord.Client.Transport;
using Concord.Clock;
using Concord.Errors;
using Concord.Records;
using Concord.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Concord.Client;

/// <summary>
/// A local-first replica: reads and writes go to a local SQLite file at once, offline or not, and
/// sync rounds exchange them with the server. The server's answer is the truth that local edits are
/// rebased onto: an edit it refuses rolls back and <see cref="ChangeRejected"/> says why.
/// </summary>
/// <example><code>
/// await using var client = await ConcordClient.OpenAsync(new ConcordClientOptions
/// {
///     DatabasePath = "todo.db",
///     ServerUrl = new Uri("http://127.0.0.1:5000/api/sync"),
/// });
/// var todos = client.Collection&lt;Todo&gt;("todos");
/// await todos.PutAsync(Guid.CreateVersion7().ToString(), new Todo("Buy milk", Done: false));
/// client.Start(); // sync in the background
/// </code></example>
public sealed class ConcordClient : IAsyncDisposable
{
    private readonly ConcordClientOptions _options;
    private readonly LocalStore _store;
    private readonly HybridLogicalClock _clock;
    private readonly HttpClient? _ownedHttp;
    private readonly ServerLink? _link;
    private readonly SyncLoop? _loop;
    private readonly SyncRound? _round;
    private readonly QueueGauge _queue;
    private readonly ClientMetrics _metrics;
    private readonly LiveQueryRegistry _live;
    private readonly object _stateGate = new();
    private readonly Dictionary<string, Task<ConcordClient>> _tenants = new(StringComparer.Ordinal);
    private SyncState _state = SyncState.Idle;

    private ConcordClient(ConcordClientOptions options, LocalStore store, HybridLogicalClock clock, QueueGauge queue)
    {
        _options = options;
        _store = store;
        _clock = clock;
        _queue = queue;
        ILogger logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Concord.Client");
        _metrics = new ClientMetrics(options.MeterFactory, () => _queue.Current);
        _live = new LiveQueryRegistry(store, logger);
        if (options.ServerUrl is not null)
        {
            if (options.HttpClient is null)
            {
                _ownedHttp = new HttpClient();
            }

            Protocol.IProtocolCodec codec = options.Encoding == ProtocolEncoding.Cbor
                ? new Protocol.Cbor.CborProtocolCodec(LocalLimits)
                : new Protocol.Json.JsonProtocolCodec(LocalLimits);
            _link = new ServerLink(options, options.HttpClient ?? _ownedHttp!, codec, HelloAsync, logger, _metrics);
            _round = new SyncRound(store, _link, clock, options, logger, queue, _metrics, s => SetState(s, null), RaiseRejected);
            _loop = new SyncLoop(_round, _link, options, logger, _metrics, SetState);
        }
    }

    /// <summary>Raised whenever <see cref="State"/> changes.</summary>
    public event EventHandler<SyncStateChangedEventArgs>? StateChanged;

    /// <summary>Raised when the server refuses a local change for good; the change is gone from the outbox and the view.</summary>
    public event EventHandler<ChangeRejectedEventArgs>? ChangeRejected;

    /// <summary>This replica's id, made on first open and kept in the database.</summary>
    public string ClientId => _store.ClientId;

    /// <summary>What sync is doing now.</summary>
    public SyncState State
    {
        get
        {
            lock (_stateGate)
            {
                return _state;
            }
        }
    }

    /// <summary>How the client hears from the server right now (see <see cref="ConcordClientOptions.Transport"/>).</summary>
    public SyncConnection Connection => _link?.Connection ?? SyncConnection.None;

    /// <summary>Local changes waiting for the server.</summary>
    public QueueStats QueueStats => _queue.Current;

    /// <summary>True when the outbox is past the configured size: the app should slow its writes down.</summary>
    public bool ShouldBackOff
    {
        get
        {
            QueueStats stats = QueueStats;
            return stats.Count >= _options.BackOffAtCount || stats.Bytes >= _options.BackOffAtBytes;
        }
    }

    /// <summary>This replica's clock.</summary>
    public HybridLogicalClock Clock => _clock;

    /// <summary>Opens (creating if needed) the local database.</summary>
    public static async Task<ConcordClient> OpenAsync(ConcordClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        LocalStore store = await LocalStore.OpenAsync(options.DatabasePath, NewClientId, cancellationToken).ConfigureAwait(false);
        try
        {
            var clock = new HybridLogicalClock(store.ClientId, options.TimeProvider);
            clock.Observe(await store.ReadClockFloorAsync(cancellationToken).ConfigureAwait(false));
            var queue = new QueueGauge();
            queue.Set(await store.ReadQueueStatsAsync(cancellationToken).ConfigureAwait(false));
            return new ConcordClient(options, store, clock, queue);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A typed view of one collection.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid collection name.</exception>
    public ConcordCollection<T> Collection<T>(string name)
    {
        if (!NameRules.IsValidCollectionName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid collection name.", nameof(name));
        }

        return new ConcordCollection<T>(this, name, _options.SerializerOptions);
    }

    /// <summary>
    /// A client for another workspace (tenant) on the same server with the same credentials. It keeps its own local
    /// database beside this one's (<c>{name}.tenant-{hash}.db</c>), so its cursor, outbox and view are its own: records
    /// of one workspace never mix with another's, and each syncs on its own. Asked twice, it gives the same client; it
    /// is disposed with this one.
    /// </summary>
    /// <example><code>
    /// ConcordClient team = await client.WithTenantAsync("ws_team");
    /// await team.Collection&lt;Todo&gt;("todos").PutAsync("t1", new Todo("Ship it"));
    /// team.Start();
    /// </code></example>
    /// <exception cref="ArgumentException"><paramref name="tenant"/> is not 1-128 printable characters.</exception>
    public Task<ConcordClient> WithTenantAsync(string tenant, CancellationToken cancellationToken = default)
    {
        if (!NameRules.IsValidId(tenant, 128))
        {
            throw new ArgumentException("A workspace is 1-128 printable characters.", nameof(tenant));
        }

        if (tenant == _options.Workspace)
        {
            return Task.FromResult(this);
        }

        Task<ConcordClient> opening;
        lock (_tenants)
        {
            if (!_tenants.TryGetValue(tenant, out opening!) || opening.IsFaulted || opening.IsCanceled)
            {
                opening = OpenAsync(_options with { Workspace = tenant, DatabasePath = TenantDatabasePath(_options.DatabasePath, tenant) }, CancellationToken.None);
                _tenants[tenant] = opening;
            }
        }

        return opening.WaitAsync(cancellationToken);
    }

    /// <summary>Where a workspace's database lives beside <paramref name="path"/>: named by a hash, since a workspace id may hold any character.</summary>
    internal static string TenantDatabasePath(string path, string tenant)
    {
        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(tenant)))[..24];
        string extension = Path.GetExtension(path);
        return Path.Combine(Path.GetDirectoryName(path) ?? string.Empty, $"{Path.GetFileNameWithoutExtension(path)}.tenant-{hash}{extension}");
    }

    /// <summary>Runs one sync round now: push the outbox, then pull until up to date.</summary>
    /// <exception cref="InvalidOperationException">The client has no server.</exception>
    /// <exception cref="SyncException">The server answered with an error.</exception>
    /// <exception cref="HttpRequestException">The server could not be reached.</exception>
    public async Task SyncAsync(CancellationToken cancellationToken = default)
    {
        if (_round is null)
        {
            throw new InvalidOperationException("This client has no ServerUrl to sync with.");
        }

        try
        {
            await _round.RunAsync(cancellationToken).ConfigureAwait(false);
            SetState(SyncState.Synced, null);
        }
        catch (SyncException ex)
        {
            SetState(SyncState.Error, ex.Error);
            throw;
        }
        catch (HttpRequestException)
        {
            SetState(SyncState.Offline, null);
            throw;
        }
    }

    /// <summary>Starts syncing in the background until <see cref="StopAsync"/>.</summary>
    /// <remarks>The client connects (a WebSocket, or HTTP with server-sent events, as <see cref="ConcordClientOptions.Transport"/> allows), pushes local writes as they happen and applies the server's changes as they come.</remarks>
    public void Start() => (_loop ?? throw new InvalidOperationException("This client has no ServerUrl to sync with.")).Start();

    /// <summary>Stops the background loop after its current step.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _loop?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>Waits until every local change has been acknowledged by the server.</summary>
    /// <remarks>With the background loop running this waits on it; otherwise it runs rounds itself.</remarks>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        while (_queue.Current.Count > 0)
        {
            if (_loop is { IsRunning: true })
            {
                Task ended = _round!.Ended;
                _loop.Poke();
                await ended.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await SyncAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Task<ConcordClient>[] tenants;
        lock (_tenants)
        {
            tenants = [.. _tenants.Values];
            _tenants.Clear();
        }

        foreach (Task<ConcordClient> tenant in tenants)
        {
            // One still opening is waited for, so that its database is not left open; one that failed has nothing to close.
            await ((Task)tenant).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (tenant.IsCompletedSuccessfully)
            {
                await tenant.Result.DisposeAsync().ConfigureAwait(false);
            }
        }

        await StopAsync().ConfigureAwait(false);
        _live.Close();
        await _store.DisposeAsync().ConfigureAwait(false);
        _ownedHttp?.Dispose();
        _metrics.Dispose();
    }

    internal async Task WriteAsync(
        string collection,
        string id,
        ChangeKind kind,
        RawJsonValue? fields,
        CancellationToken cancellationToken,
        Func<RecordState, Dictionary<string, Protocol.CrdtOperationMessage>>? crdt = null)
    {
        if (!NameRules.IsValidId(id, LocalLimits.MaxIdLength))
        {
            throw new ArgumentException($"A record id is 1-{LocalLimits.MaxIdLength} characters with no control characters.", nameof(id));
        }

        string opId = Guid.CreateVersion7().ToString();
        _queue.Queued(await _store.WriteAsync(opId, collection, id, kind, fields, crdt, _clock.Now, cancellationToken).ConfigureAwait(false));
        _loop?.Poke();
    }

    /// <summary>The protocol limits local writes are checked against, so that the server never has to refuse them for size.</summary>
    internal static Protocol.ProtocolLimits LocalLimits { get; } = new();

    /// <summary>A live query over this client's view.</summary>
    internal LiveQuery<TResult> Live<TResult>(LiveSource source, Func<List<(string Id, string Data)>, TResult> materialize) => new(_live, source, materialize);

    /// <summary>A record's JSON data as the app sees it, or null when it is absent or deleted.</summary>
    internal Task<string?> ReadViewAsync(string collection, string id, CancellationToken cancellationToken) =>
        _store.ReadViewAsync(collection, id, cancellationToken);

    /// <summary>The record as this replica sees it, with its CRDT state.</summary>
    internal Task<RecordState> ReadWorkingAsync(string collection, string id, CancellationToken cancellationToken) =>
        _store.ReadWorkingAsync(collection, id, cancellationToken);

    /// <summary>Runs a query over the view that selects each row's id and JSON data.</summary>
    internal Task<List<(string Id, string Data)>> QueryAsync(string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, CancellationToken cancellationToken) =>
        _store.QueryAsync(sql, parameters, cancellationToken);

    /// <summary>Runs a counting query over the view.</summary>
    internal Task<long> CountAsync(string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, CancellationToken cancellationToken) =>
        _store.CountAsync(sql, parameters, cancellationToken);

    private async Task<Protocol.Realtime.HelloMessage> HelloAsync(CancellationToken cancellationToken) => new()
    {
        ProtocolVersion = 1,
        ClientId = ClientId,
        Cursor = await _store.ReadCursorAsync(cancellationToken).ConfigureAwait(false),
    };

    private void SetState(SyncState state, SyncError? error)
    {
        SyncState previous;
        lock (_stateGate)
        {
            previous = _state;
            if (previous == state && error is null)
            {
                return;
            }

            _state = state;
        }

        StateChanged?.Invoke(this, new SyncStateChangedEventArgs(previous, state, error));
    }

    private void RaiseRejected(IReadOnlyList<ChangeRejectedEventArgs> rejected)
    {
        foreach (ChangeRejectedEventArgs args in rejected)
        {
            ChangeRejected?.Invoke(this, args);
        }
    }

    /// <summary>Random, lowercase, 16 characters: short in every clock reading, and unique enough across replicas.</summary>
    private static string NewClientId() => RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 16);
}

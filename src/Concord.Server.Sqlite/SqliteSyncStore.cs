using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Concord.Clock;
using Concord.Protocol;
using Concord.Protocol.Json;
using Concord.Records;
using Concord.Server.Merging;
using Concord.Server.Storage;
using Concord.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Concord.Server.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. One writer connection applies batches one at a
/// time, each in one <c>BEGIN IMMEDIATE</c> transaction, so versions are assigned and committed in
/// order and a reader's snapshot always holds a contiguous prefix of them. Readers use pooled
/// connections and never block the writer.
/// </summary>
/// <example><code>
/// await using var store = new SqliteSyncStore(Options.Create(new SqliteStoreOptions { Path = "concord.db" }), TimeProvider.System);
/// await store.InitializeAsync();
/// </code></example>
public sealed class SqliteSyncStore : ISyncStore, IAsyncDisposable
{
    /// <summary>From this many changes on, a batch is merged on a second thread while the writer stores what is already merged.</summary>
    private const int ConcurrentMergeThreshold = 64;

    private readonly SqliteStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private SqliteConnection? _writer;
    private WriterCommands? _commands;
    private WalCheckpointer? _checkpointer;
    private Guid _epoch;

    /// <summary>Creates a store over the file named in <paramref name="options"/>; nothing is opened until <see cref="InitializeAsync"/>.</summary>
    public SqliteSyncStore(IOptions<SqliteStoreOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = System.IO.Path.GetFullPath(_options.Path),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();
    }

    /// <inheritdoc />
    public Guid Epoch => _epoch != Guid.Empty ? _epoch : throw new InvalidOperationException("The store is not initialized.");

    /// <inheritdoc />
    public async ValueTask InitializeAsync(CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_writer is not null)
            {
                return;
            }

            string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(_options.Path));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            var writer = new SqliteConnection(_connectionString);
            writer.Open();

            // Only takes effect on a new file. Larger pages mean fewer splits and shallower trees on the
            // four B-trees every change writes; that cuts what a change costs by more than the extra
            // bytes a small commit writes.
            Execute(writer, "PRAGMA page_size=16384");
            Execute(writer, "PRAGMA journal_mode=WAL");
            Execute(writer, _options.DurableCommits ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
            Execute(writer, $"PRAGMA cache_size=-{_options.CacheSizeKiB}");

            // Checkpoints happen off the write path (see WalCheckpointer); a WAL file left large by a burst is cut back afterwards.
            Execute(writer, "PRAGMA wal_autocheckpoint=0");
            Execute(writer, "PRAGMA journal_size_limit=67108864");
            Migrate(writer);
            _epoch = ReadOrCreateEpoch(writer);
            _commands = new WriterCommands(writer);
            _checkpointer = new WalCheckpointer(_connectionString, _writeLock);
            _writer = writer;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<ChangeOutcome>> ApplyAsync(string tenant, IReadOnlyList<Change> changes, IChangeMerger merger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(merger);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ApplyLockedAsync(tenant, changes, merger).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public ValueTask<RecordPage> ReadPageAsync(string tenant, PageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        using SqliteConnection connection = OpenReader();
        using SqliteTransaction snapshot = connection.BeginTransaction(deferred: true);
        long snapshotVersion = ReadTenant(connection, snapshot, tenant).Version;

        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = snapshot;
        command.CommandText = request.Collections is null ? SqliteStoreSql.ReadPage : SqliteStoreSql.ReadPageOfCollections;
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$after", request.AfterVersion);
        command.Parameters.AddWithValue("$limit", request.Limit + 1);
        if (request.Collections is not null)
        {
            command.Parameters.AddWithValue("$collections", JsonArray(request.Collections));
        }

        var records = new List<RecordMessage>(Math.Min(request.Limit, 1024));
        HlcTimestamp maxHlc = default;
        bool hasMore = false;
        using (SqliteDataReader reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (records.Count == request.Limit)
                {
                    hasMore = true;
                    break;
                }

                byte[] fields = reader.GetFieldValue<byte[]>(3);
                (RawJsonValue hlcs, HlcTimestamp recordMax) = StoredClocks.Expand(
                    fields, ReadHlc(reader, 4), reader.IsDBNull(5) ? default : reader.GetFieldValue<byte[]>(5));
                string? deleted = reader.IsDBNull(6) ? null : reader.GetString(6);
                var record = new RecordMessage
                {
                    Collection = reader.GetString(0),
                    Id = reader.GetString(1),
                    Version = reader.GetInt64(2),
                    Fields = RawJsonValue.FromValidatedUtf8(fields),
                    Hlcs = hlcs,
                    Deleted = deleted,
                    Crdt = reader.IsDBNull(8) ? null : CrdtJson.ReadStates(reader.GetFieldValue<byte[]>(8)),
                };
                records.Add(request.Deltas && record.Crdt is not null ? TextDeltas.Apply(record, connection, snapshot, tenant, request.AfterVersion) : record);
                maxHlc = HlcTimestamp.Max(maxHlc, HlcTimestamp.Max(recordMax, ReadHlc(reader, 7)));
            }
        }

        snapshot.Commit();
        return ValueTask.FromResult(new RecordPage(records, hasMore, snapshotVersion, maxHlc));
    }

    /// <inheritdoc />
    public ValueTask<StoreMetadata> ReadMetadataAsync(string tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        using SqliteConnection connection = OpenReader();
        using SqliteTransaction snapshot = connection.BeginTransaction(deferred: true);
        TenantRow row = ReadTenant(connection, snapshot, tenant);
        using SqliteCommand count = connection.CreateCommand();
        count.Transaction = snapshot;
        count.CommandText = SqliteStoreSql.CountTenants;
        long tenants = (long)count.ExecuteScalar()!;
        snapshot.Commit();
        return ValueTask.FromResult(new StoreMetadata(row.Version, row.Records, row.Ops, tenants));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_checkpointer is not null)
            {
                await _checkpointer.DisposeAsync().ConfigureAwait(false);
                _checkpointer = null;
            }

            _commands?.Dispose();
            _commands = null;
            if (_writer is not null)
            {
                await _writer.DisposeAsync().ConfigureAwait(false);
                _writer = null;
                SqliteConnection.ClearAllPools();
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async ValueTask<IReadOnlyList<ChangeOutcome>> ApplyLockedAsync(string tenant, IReadOnlyList<Change> changes, IChangeMerger merger)
    {
        SqliteConnection writer = _writer ?? throw new InvalidOperationException("The store is not initialized.");
        WriterCommands commands = _commands!;
        using SqliteTransaction transaction = writer.BeginTransaction(deferred: false);
        commands.Enlist(transaction);

        TenantRow row = ReadTenant(writer, transaction, tenant);
        var merge = new BatchMerge(tenant, changes, merger, row.Version);
        Channel<AppliedChange> steps = Channel.CreateUnbounded<AppliedChange>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        Task merging;
        if (changes.Count >= ConcurrentMergeThreshold)
        {
            // No other writer can commit while this one holds the write lock, so a snapshot taken now
            // is the store as it was before the batch.
            merging = Task.Run(() =>
            {
                try
                {
                    using SqliteConnection reader = OpenReader();
                    using SqliteTransaction snapshot = reader.BeginTransaction(deferred: true);
                    using var lookup = new RecordLookup(reader, snapshot);
                    merge.Run(steps.Writer, lookup);
                }
                catch (Exception exception)
                {
                    steps.Writer.TryComplete(exception);
                }
            });
        }
        else
        {
            // The writer has written nothing yet: its own reads still see the store before the batch.
            merge.Run(steps.Writer, commands.Lookup);
            merging = Task.CompletedTask;
        }

        var textFields = new HashSet<(string, string, string)>();
        long appliedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        try
        {
            while (await steps.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (steps.Reader.TryRead(out AppliedChange step))
                {
                    Write(commands, tenant, step, appliedAt, textFields);
                }
            }
        }
        catch
        {
            merge.Abandon();
            await merging.ConfigureAwait(false);
            throw;
        }

        await merging.ConfigureAwait(false);
        foreach ((string collection, string id, string field) in textFields)
        {
            commands.CompactTextLog(tenant, collection, id, field);
        }

        if (merge.Version != row.Version)
        {
            commands.WriteTenant(tenant, merge.Version, row.Records + merge.NewRecords, row.Ops + (merge.Version - row.Version));
        }

        transaction.Commit();
        _checkpointer!.Poke();
        return merge.Outcomes;
    }

    private static void Write(WriterCommands commands, string tenant, AppliedChange step, long appliedAt, HashSet<(string, string, string)> textFields)
    {
        Change change = step.Change;
        if (step.Version != 0)
        {
            commands.InsertOp(tenant, change.OpId, step.Version, appliedAt);
            if (step.ClearsText)
            {
                commands.ClearTextLog(tenant, change.Collection, change.Id);
            }

            if (step.LogsText)
            {
                foreach ((string field, Crdt.CrdtOperation operation) in change.Crdt)
                {
                    if (operation.Kind == Crdt.CrdtKind.Text)
                    {
                        commands.AppendTextLog(tenant, change, field, step.Version, operation.Update.Span);
                        textFields.Add((change.Collection, change.Id, field));
                    }
                }
            }
        }

        if (step.Row is { } stored)
        {
            commands.UpsertRecord(tenant, stored);
        }
    }

    internal static HlcTimestamp ReadHlc(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? default : HlcTimestamp.Parse(reader.GetString(ordinal));

    private static TenantRow ReadTenant(SqliteConnection connection, SqliteTransaction transaction, string tenant)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SqliteStoreSql.ReadTenant;
        command.Parameters.AddWithValue("$tenant", tenant);
        using SqliteDataReader reader = command.ExecuteReader();
        return reader.Read() ? new TenantRow(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)) : default;
    }

    private SqliteConnection OpenReader()
    {
        if (_writer is null)
        {
            throw new InvalidOperationException("The store is not initialized.");
        }

        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static void Migrate(SqliteConnection connection)
    {
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        long current = ScalarLong(connection, transaction, "PRAGMA user_version");
        if (current > SqliteStoreSql.Migrations.Length)
        {
            throw new InvalidOperationException($"The database has schema version {current}, newer than this server's {SqliteStoreSql.Migrations.Length}.");
        }

        for (long next = current; next < SqliteStoreSql.Migrations.Length; next++)
        {
            Execute(connection, SqliteStoreSql.Migrations[next], transaction);
            Execute(connection, $"PRAGMA user_version = {next + 1}", transaction);
        }

        transaction.Commit();
    }

    private static Guid ReadOrCreateEpoch(SqliteConnection connection)
    {
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        using SqliteCommand read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = SqliteStoreSql.ReadEpoch;
        if (read.ExecuteScalar() is string existing)
        {
            transaction.Commit();
            return Guid.Parse(existing);
        }

        Guid epoch = Guid.NewGuid();
        using SqliteCommand write = connection.CreateCommand();
        write.Transaction = transaction;
        write.CommandText = SqliteStoreSql.WriteEpoch;
        write.Parameters.AddWithValue("$epoch", epoch.ToString("D"));
        write.ExecuteNonQuery();
        transaction.Commit();
        return epoch;
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long ScalarLong(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static string JsonArray(IEnumerable<string> values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (string value in values)
            {
                json.WriteStringValue(value);
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private readonly record struct TenantRow(long Version, long Records, long Ops);
}

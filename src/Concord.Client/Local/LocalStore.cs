using System.Data;
using System.Text;
using Concord.Client.Outbox;
using Concord.Clock;
using Concord.Merge;
using Concord.Protocol.Json;
using Concord.Validation;
using Concord.Errors;
using Concord.Protocol;
using Concord.Records;
using Concord.Sqlite;
using Microsoft.Data.Sqlite;

namespace Concord.Client.Local;

/// <summary>
/// The client's SQLite database: base, outbox, materialized view, cursor. One connection, used by
/// one caller at a time, so a local write, a push result and a pulled page never interleave.
/// </summary>
internal sealed class LocalStore : IAsyncDisposable
{
    private const string CursorKey = "cursor";
    private const string ClientIdKey = "client_id";
    private const string ServerHlcKey = "server_hlc";
    private const string ResyncKey = "resync";

    private readonly SqliteConnection _connection;
    private readonly CommandCache _commands;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private RawStatement? _upsertBase;
    private RawStatement? _writeLocalView;
    private RawStatement? _appendOutbox;
    private WalCheckpointer? _checkpointer;

    /// <summary>Checks local changes with the same rules the server applies, so that none is refused for its shape.</summary>
    private static readonly ChangeValidator LocalChanges = new(new Protocol.ProtocolLimits());

    private LocalStore(SqliteConnection connection)
    {
        _connection = connection;
        _commands = new CommandCache(connection);
    }

    public string ClientId { get; private set; } = string.Empty;

    public static async Task<LocalStore> OpenAsync(string path, Func<string> newClientId, CancellationToken cancellationToken)
    {
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var store = new LocalStore(connection);
        try
        {
            store.Execute("PRAGMA journal_mode=WAL");
            store.Execute("PRAGMA synchronous=NORMAL");

            // Pulled pages write a lot; checkpoints run beside them instead of inside every thousandth page of WAL.
            store.Execute("PRAGMA wal_autocheckpoint=0");
            store.Execute("PRAGMA journal_size_limit=67108864");
            store.Migrate();
            store._checkpointer = new WalCheckpointer(connection.ConnectionString, store._lock);
            store.ClientId = store.ReadMeta(ClientIdKey) ?? store.CreateClientId(newClientId());
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The greatest clock reading this replica has made or seen, so a restarted clock starts after it.</summary>
    public async Task<HlcTimestamp> ReadClockFloorAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            HlcTimestamp.TryParse(_commands.Get(LocalSql.MaxOutboxHlc).ExecuteScalar() as string, out HlcTimestamp outbox);
            HlcTimestamp.TryParse(ReadMeta(ServerHlcKey), out HlcTimestamp server);
            return HlcTimestamp.Max(outbox, server);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Applies one local change to the view and appends it to the outbox, in one transaction.
    /// <paramref name="stamp"/> is called inside the transaction, so that outbox order is clock order.
    /// A change with CRDT operations gets them from <paramref name="crdt"/>, which sees the record as this
    /// replica does (server state and pending changes) and may edit its CRDT values in place (text edits).
    /// </summary>
    public async Task WriteAsync(
        string opId,
        string collection,
        string id,
        ChangeKind kind,
        RawJsonValue? fields,
        Func<RecordState, Dictionary<string, CrdtOperationMessage>>? crdt,
        Func<HlcTimestamp> stamp,
        CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using SqliteTransaction transaction = _connection.BeginTransaction(deferred: false);
            HlcTimestamp hlc = stamp();
            string? operationsText = null;
            string? view = null;
            if (crdt is null)
            {
                // A local write carries the newest reading this replica has, so it wins over everything the
                // view holds: the view can be updated directly instead of rebased. A put's view is its fields.
                view = kind == ChangeKind.Patch ? PatchView(ReadViewLocked(collection, id, transaction), fields!.Value) : null;
            }
            else
            {
                RecordState working = BuildWorkingLocked(collection, id, transaction);
                Dictionary<string, CrdtOperationMessage> operations = crdt(working);
                var message = new ChangeMessage
                {
                    OpId = opId,
                    Collection = collection,
                    Id = id,
                    Kind = Validation.ChangeValidator.FormatKind(kind),
                    Fields = fields,
                    Hlc = hlc.ToString(),
                    Crdt = operations,
                };
                if (!LocalChanges.TryValidate(message, out Change? change, out Errors.SyncError? error))
                {
                    throw new ArgumentException(error.Message);
                }

                if (!LastWriterWinsMerge.TryApply(working, change, out string? why))
                {
                    throw new ArgumentException(why);
                }

                operationsText = CrdtJson.WriteOperations(operations);
                view = ViewOf(working);
            }

            // Bound by position, the fields straight from their UTF-8: named parameters, and the fields turned
            // into a string to be turned back into UTF-8, were a tenth of what the app waits for on a write.
            RawStatement write = _writeLocalView ??= new RawStatement(_connection, LocalSql.WriteLocalView);
            write.BindText(1, collection);
            write.BindText(2, id);
            if (view is not null)
            {
                write.BindText(3, view);
            }
            else if (kind == ChangeKind.Put && crdt is null && fields is { } put)
            {
                write.BindText(3, put.Utf8.Span);
            }
            else
            {
                write.BindNull(3);
            }

            write.Execute();

            Span<byte> hlcText = stackalloc byte[HlcTimestamp.HexLength + 1 + HlcTimestamp.MaxNodeIdLength];
            hlc.TryFormat(hlcText, out int hlcLength);
            RawStatement append = _appendOutbox ??= new RawStatement(_connection, LocalSql.AppendOutbox);
            append.BindText(1, opId);
            append.BindText(2, collection);
            append.BindText(3, id);
            append.BindText(4, Validation.ChangeValidator.FormatKind(kind));
            if (fields is { } values)
            {
                append.BindText(5, values.Utf8.Span);
            }
            else
            {
                append.BindNull(5);
            }

            append.BindText(6, hlcText[..hlcLength]);
            BindOptional(append, 7, operationsText);
            append.Bind(8, 64 + collection.Length + id.Length + (fields?.Utf8.Length ?? 0) + (operationsText?.Length ?? 0));
            append.Execute();
            Commit(transaction);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The record as this replica sees it, with its CRDT state, for reading a field's merge data.</summary>
    public async Task<RecordState> ReadWorkingAsync(string collection, string id, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using SqliteTransaction transaction = _connection.BeginTransaction(deferred: true);
            return BuildWorkingLocked(collection, id, transaction);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<string?> ReadViewAsync(string collection, string id, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return ReadViewLocked(collection, id, null);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Runs a query over <c>concord_view</c> and returns each row's id and JSON data.</summary>
    public async Task<List<(string Id, string Data)>> QueryAsync(string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SqliteCommand command = _commands.Get(sql);
            foreach ((string name, object value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            var rows = new List<(string, string)>();
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add((reader.GetString(0), reader.GetString(1)));
            }

            return rows;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<long> ScalarAsync(string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SqliteCommand command = _commands.Get(sql);
            foreach ((string name, object value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<QueueStats> ReadQueueStatsAsync(int batchesInFlight, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using SqliteDataReader reader = _commands.Get(LocalSql.QueueStats).ExecuteReader();
            reader.Read();
            return new QueueStats(reader.GetInt64(0), reader.GetInt64(1), batchesInFlight);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The oldest unacknowledged changes, counting one more attempt for each.</summary>
    public async Task<IReadOnlyList<OutboxEntry>> TakeBatchAsync(int limit, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using SqliteTransaction transaction = _connection.BeginTransaction(deferred: false);
            var entries = new List<OutboxEntry>();
            SqliteCommand peek = _commands.Get(LocalSql.PeekOutbox, transaction);
            peek.Parameters.AddWithValue("$limit", limit);
            using (SqliteDataReader reader = peek.ExecuteReader())
            {
                while (reader.Read())
                {
                    entries.Add(ReadEntry(reader, reader.GetString(8), reader.GetString(9)));
                }
            }

            foreach (OutboxEntry entry in entries)
            {
                SqliteCommand attempt = _commands.Get(LocalSql.CountAttempt, transaction);
                attempt.Parameters.AddWithValue("$seq", entry.Seq);
                attempt.ExecuteNonQuery();
            }

            Commit(transaction);
            return entries;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Records the server's answer to a push: acknowledged entries wait for the pull that brings their
    /// effect back in the base; rejected ones leave at once and their records' views are rebuilt without them.
    /// </summary>
    public async Task<IReadOnlyList<ChangeRejectedEventArgs>> ApplyPushResultsAsync(IReadOnlyList<OutboxEntry> sent, IReadOnlyList<ChangeResultMessage> results, CancellationToken cancellationToken)
    {
        var byOpId = new Dictionary<string, ChangeResultMessage>(StringComparer.Ordinal);
        foreach (ChangeResultMessage result in results)
        {
            byOpId[result.OpId] = result;
        }

        var rejected = new List<ChangeRejectedEventArgs>();
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using SqliteTransaction transaction = _connection.BeginTransaction(deferred: false);
            var rebase = new HashSet<(string, string)>();
            foreach (OutboxEntry entry in sent)
            {
                if (!byOpId.TryGetValue(entry.OpId, out ChangeResultMessage? result))
                {
                    continue;
                }

                if (result.Status == ChangeStatus.Rejected)
                {
                    RemoveEntry(entry.Seq, transaction);
                    rebase.Add((entry.Collection, entry.Id));
                    SyncError error = result.Error?.ToError() ?? SyncError.InvalidChange("The server rejected the change.");
                    rejected.Add(new ChangeRejectedEventArgs(entry.OpId, entry.Collection, entry.Id, entry.Kind, error));
                }
                else
                {
                    SqliteCommand ack = _commands.Get(LocalSql.AckOutbox, transaction);
                    ack.Parameters.AddWithValue("$seq", entry.Seq);
                    ack.Parameters.AddWithValue("$version", result.Version ?? 0);
                    ack.ExecuteNonQuery();

                    // Applied in part (a server-wins conflict): the next pull rolls the losing fields back; say why.
                    if (result.Error is { } partial)
                    {
                        rejected.Add(new ChangeRejectedEventArgs(entry.OpId, entry.Collection, entry.Id, entry.Kind, partial.ToError()));
                    }
                }
            }

            foreach ((string collection, string id) in rebase)
            {
                RebaseLocked(collection, id, transaction);
            }

            Commit(transaction);
        }
        finally
        {
            _lock.Release();
        }

        return rejected;
    }

    /// <summary>Drops one entry the server will never accept (for example, larger than any push may be).</summary>
    public async Task<ChangeRejectedEventArgs> DropAsync(OutboxEntry entry, SyncError error, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using SqliteTransaction transaction = _connection.BeginTransaction(deferred: false);
            RemoveEntry(entry.Seq, transaction);
            RebaseLocked(entry.Collection, entry.Id, transaction);
            Commit(transaction);
            return new ChangeRejectedEventArgs(entry.OpId, entry.Collection, entry.Id, entry.Kind, error);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<string?> ReadCursorAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return ReadMeta(CursorKey);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Forgets the cursor and remembers which records the server had, to find those it no longer has.</summary>
    public async Task BeginResyncAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using SqliteTransaction transaction = _connection.BeginTransaction(deferred: false);
            if (ReadMeta(ResyncKey, transaction) is null)
            {
                _commands.Get(LocalSql.BeginResync, transaction).ExecuteNonQuery();
                WriteMeta(ResyncKey, "1", transaction);
            }

            DeleteMeta(CursorKey, transaction);
            Commit(transaction);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Applies one pulled page and its cursor in one transaction: each record's base becomes the server's
    /// state, and its view is rebuilt from that base and whatever the outbox still holds for it.
    /// </summary>
    public async Task ApplyPageAsync(PullResponse page, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using SqliteTransaction transaction = _connection.BeginTransaction(deferred: false);
            Dictionary<(string, string), List<OutboxEntry>>? outbox = ReadWholeOutbox(transaction);
            bool resyncing = ReadMeta(ResyncKey, transaction) is not null;
            RawStatement upsert = _upsertBase ??= new RawStatement(_connection, LocalSql.UpsertBase);
            foreach (RecordMessage record in page.Records)
            {
                List<OutboxEntry>? entries = null;
                outbox?.TryGetValue((record.Collection, record.Id), out entries);
                Dictionary<string, CrdtStateMessage>? baseCrdt = record.Crdt is null
                    ? null
                    : BaseRecord.Merge(record, BaseRecord.LacksPlainValues(record) ? ReadBaseCrdtLocked(record.Collection, record.Id, transaction) : null, ClientId);
                string? view = null;
                bool hasLocal = (entries is not null || BaseRecord.LacksPlainValues(record))
                    && TryRebaseWithOutbox(record, baseCrdt, entries ?? [], transaction, out view);

                // Bound straight from the page's UTF-8: a fresh replica pulls many records and most take this path.
                upsert.BindText(1, record.Collection);
                upsert.BindText(2, record.Id);
                upsert.BindText(3, record.Fields.Utf8.Span);
                upsert.BindText(4, BaseRecord.StoredReadings(record));
                BindOptional(upsert, 5, record.Deleted);
                upsert.Bind(6, record.Version);
                upsert.Bind(7, hasLocal ? 1 : 0);
                BindOptional(upsert, 8, view);
                if (baseCrdt is null)
                {
                    upsert.BindNull(9);
                }
                else
                {
                    upsert.BindText(9, CrdtJson.WriteStates(baseCrdt));
                }

                upsert.Execute();
                if (resyncing)
                {
                    SqliteCommand forget = _commands.Get(LocalSql.ForgetResyncKey, transaction);
                    forget.Parameters.AddWithValue("$collection", record.Collection);
                    forget.Parameters.AddWithValue("$id", record.Id);
                    forget.ExecuteNonQuery();
                }
            }

            if (resyncing && !page.HasMore)
            {
                FinishResyncLocked(transaction);
            }

            WriteMeta(CursorKey, page.Cursor, transaction);
            WriteMeta(ServerHlcKey, page.Hlc, transaction);
            Commit(transaction);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            _commands.Dispose();
            _upsertBase?.Dispose();
            _writeLocalView?.Dispose();
            _appendOutbox?.Dispose();
            if (_checkpointer is not null)
            {
                await _checkpointer.DisposeAsync().ConfigureAwait(false);
            }

            await _connection.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Drops outbox entries whose effect the new base already holds, and computes the view from the base
    /// and what is left.
    /// </summary>
    /// <returns>False when the view is the base's plain fields as they are (nothing local, no text to rebuild).</returns>
    private bool TryRebaseWithOutbox(RecordMessage record, Dictionary<string, CrdtStateMessage>? baseCrdt, List<OutboxEntry> entries, SqliteTransaction transaction, out string? view)
    {
        view = null;
        var pending = new List<Change>(entries.Count);
        foreach (OutboxEntry entry in entries)
        {
            if (entry.AckedVersion is { } acked && acked <= record.Version)
            {
                RemoveEntry(entry.Seq, transaction);
            }
            else
            {
                pending.Add(entry.ToChange());
            }
        }

        if (pending.Count == 0 && !BaseRecord.LacksPlainValues(record))
        {
            return false;
        }

        RecordState state = BaseRecord.Build(record.Collection, record.Id, record.Fields.Utf8, record.Hlcs.Utf8, record.Deleted, baseCrdt, ClientId);
        foreach (Change change in pending)
        {
            LastWriterWinsMerge.TryApply(state, change, out _);
        }

        view = ViewOf(state);
        return true;
    }

    /// <summary>The outbox grouped by record, or null when it is empty (the common case for a page).</summary>
    private Dictionary<(string, string), List<OutboxEntry>>? ReadWholeOutbox(SqliteTransaction transaction)
    {
        Dictionary<(string, string), List<OutboxEntry>>? byRecord = null;
        using SqliteDataReader reader = _commands.Get(LocalSql.WholeOutbox, transaction).ExecuteReader();
        while (reader.Read())
        {
            OutboxEntry entry = ReadEntry(reader, reader.GetString(8), reader.GetString(9));
            byRecord ??= [];
            if (!byRecord.TryGetValue((entry.Collection, entry.Id), out List<OutboxEntry>? list))
            {
                byRecord[(entry.Collection, entry.Id)] = list = [];
            }

            list.Add(entry);
        }

        return byRecord;
    }

    private static void BindOptional(RawStatement statement, int index, string? value)
    {
        if (value is null)
        {
            statement.BindNull(index);
        }
        else
        {
            statement.BindText(index, value);
        }
    }

    private void RebaseLocked(string collection, string id, SqliteTransaction transaction)
    {
        List<OutboxEntry> entries = ReadOutboxOfRecord(collection, id, transaction);
        BaseColumns? columns = ReadBaseLocked(collection, id, transaction);
        if (entries.Count == 0 && columns?.Fields is null)
        {
            // Never confirmed by the server and nothing local left: the record never existed.
            SqliteCommand delete = _commands.Get(LocalSql.DeleteRecord, transaction);
            delete.Parameters.AddWithValue("$collection", collection);
            delete.Parameters.AddWithValue("$id", id);
            delete.ExecuteNonQuery();
            return;
        }

        bool rebuild = entries.Count > 0 || columns?.Crdt is not null;
        string? view = null;
        if (rebuild)
        {
            RecordState state = BuildBase(collection, id, columns);
            foreach (OutboxEntry entry in entries)
            {
                LastWriterWinsMerge.TryApply(state, entry.ToChange(), out _);
            }

            view = ViewOf(state);
        }

        SqliteCommand set = _commands.Get(LocalSql.SetLocalView, transaction);
        set.Parameters.AddWithValue("$collection", collection);
        set.Parameters.AddWithValue("$id", id);
        set.Parameters.AddWithValue("$hasLocal", rebuild ? 1 : 0);
        set.Parameters.AddWithValue("$view", (object?)view ?? DBNull.Value);
        set.ExecuteNonQuery();
    }

    /// <summary>The base (server state) of a record with every outbox entry for it merged over it.</summary>
    private RecordState BuildWorkingLocked(string collection, string id, SqliteTransaction transaction)
    {
        RecordState state = BuildBase(collection, id, ReadBaseLocked(collection, id, transaction));
        foreach (OutboxEntry entry in ReadOutboxOfRecord(collection, id, transaction))
        {
            LastWriterWinsMerge.TryApply(state, entry.ToChange(), out _);
        }

        return state;
    }

    private RecordState BuildBase(string collection, string id, BaseColumns? columns) =>
        BaseRecord.Build(
            collection,
            id,
            columns?.Fields,
            columns?.Hlcs,
            columns?.Deleted,
            columns?.Crdt is { } crdt ? CrdtJson.ReadStates(Encoding.UTF8.GetBytes(crdt)) : null,
            ClientId);

    private BaseColumns? ReadBaseLocked(string collection, string id, SqliteTransaction transaction)
    {
        SqliteCommand read = _commands.Get(LocalSql.ReadBase, transaction);
        read.Parameters.AddWithValue("$collection", collection);
        read.Parameters.AddWithValue("$id", id);
        using SqliteDataReader reader = read.ExecuteReader();
        return reader.Read()
            ? new BaseColumns(
                reader.IsDBNull(0) ? null : reader.GetFieldValue<byte[]>(0),
                reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(4) ? null : reader.GetString(4))
            : null;
    }

    private string? ReadBaseCrdtLocked(string collection, string id, SqliteTransaction transaction)
    {
        SqliteCommand read = _commands.Get(LocalSql.ReadBaseCrdt, transaction);
        read.Parameters.AddWithValue("$collection", collection);
        read.Parameters.AddWithValue("$id", id);
        return read.ExecuteScalar() as string;
    }

    /// <summary>Commits, and asks for a checkpoint: automatic ones are off (see <see cref="OpenAsync"/>).</summary>
    private void Commit(SqliteTransaction transaction)
    {
        transaction.Commit();
        _checkpointer?.Poke();
    }

    private static string? ViewOf(RecordState state) =>
        state.IsDeleted ? null : Encoding.UTF8.GetString(RecordStateJson.WriteFields(state));

    /// <summary>Records the server no longer has (collected, or from a store that was replaced) lose their base.</summary>
    private void FinishResyncLocked(SqliteTransaction transaction)
    {
        var gone = new List<(string, string)>();
        using (SqliteDataReader reader = _commands.Get(LocalSql.ResyncLeftovers, transaction).ExecuteReader())
        {
            while (reader.Read())
            {
                gone.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach ((string collection, string id) in gone)
        {
            SqliteCommand clear = _commands.Get(LocalSql.ForgetBase, transaction);
            clear.Parameters.AddWithValue("$collection", collection);
            clear.Parameters.AddWithValue("$id", id);
            clear.ExecuteNonQuery();
            RebaseLocked(collection, id, transaction);
        }

        _commands.Get(LocalSql.ClearResync, transaction).ExecuteNonQuery();
        DeleteMeta(ResyncKey, transaction);
    }

    private List<OutboxEntry> ReadOutboxOfRecord(string collection, string id, SqliteTransaction transaction)
    {
        SqliteCommand command = _commands.Get(LocalSql.OutboxOfRecord, transaction);
        command.Parameters.AddWithValue("$collection", collection);
        command.Parameters.AddWithValue("$id", id);
        var entries = new List<OutboxEntry>();
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            entries.Add(ReadEntry(reader, collection, id));
        }

        return entries;
    }

    /// <summary>Reads the columns seq, op_id, kind, fields, hlc, base_version, acked_version, crdt, in that order.</summary>
    private static OutboxEntry ReadEntry(SqliteDataReader reader, string collection, string id) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        collection,
        id,
        reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.GetString(4),
        reader.IsDBNull(5) ? null : reader.GetInt64(5),
        reader.IsDBNull(6) ? null : reader.GetInt64(6),
        reader.IsDBNull(7) ? null : reader.GetString(7));

    private void RemoveEntry(long seq, SqliteTransaction transaction)
    {
        SqliteCommand delete = _commands.Get(LocalSql.DeleteOutbox, transaction);
        delete.Parameters.AddWithValue("$seq", seq);
        delete.ExecuteNonQuery();
    }

    private string? ReadViewLocked(string collection, string id, SqliteTransaction? transaction)
    {
        SqliteCommand command = _commands.Get(LocalSql.ReadView, transaction);
        command.Parameters.AddWithValue("$collection", collection);
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteScalar() as string;
    }

    private static string PatchView(string? current, RawJsonValue patch)
    {
        if (current is null)
        {
            return patch.ToString();
        }

        var fields = new Dictionary<string, RawJsonValue>(StringComparer.Ordinal);
        JsonObjectFields.TrySplit(RawJsonValue.FromValidatedUtf8(System.Text.Encoding.UTF8.GetBytes(current)), fields, out _);
        var patched = new Dictionary<string, RawJsonValue>(StringComparer.Ordinal);
        JsonObjectFields.TrySplit(patch, patched, out _);
        foreach ((string name, RawJsonValue value) in patched)
        {
            fields[name] = value;
        }

        return System.Text.Encoding.UTF8.GetString(JsonObjectFields.Write(fields));
    }

    private string? ReadMeta(string key, SqliteTransaction? transaction = null)
    {
        SqliteCommand command = _commands.Get(LocalSql.ReadMeta, transaction);
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() as string;
    }

    private void WriteMeta(string key, string value, SqliteTransaction? transaction = null)
    {
        SqliteCommand command = _commands.Get(LocalSql.WriteMeta, transaction);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.ExecuteNonQuery();
    }

    private void DeleteMeta(string key, SqliteTransaction transaction)
    {
        SqliteCommand command = _commands.Get(LocalSql.DeleteMeta, transaction);
        command.Parameters.AddWithValue("$key", key);
        command.ExecuteNonQuery();
    }

    private string CreateClientId(string clientId)
    {
        WriteMeta(ClientIdKey, clientId);
        return clientId;
    }

    private void Migrate()
    {
        using SqliteTransaction transaction = _connection.BeginTransaction(deferred: false);
        using SqliteCommand version = _connection.CreateCommand();
        version.Transaction = transaction;
        version.CommandText = "PRAGMA user_version";
        long current = Convert.ToInt64(version.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (current > LocalSql.Migrations.Length)
        {
            throw new InvalidOperationException($"The local database has schema version {current}, newer than this client's {LocalSql.Migrations.Length}.");
        }

        for (long next = current; next < LocalSql.Migrations.Length; next++)
        {
            Execute(LocalSql.Migrations[next], transaction);
            Execute($"PRAGMA user_version = {next + 1}", transaction);
        }

        Commit(transaction);
    }

    private void Execute(string sql, SqliteTransaction? transaction = null)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>The base columns of one local record.</summary>
    private sealed record BaseColumns(byte[]? Fields, byte[]? Hlcs, string? Deleted, string? Crdt);
}

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
    private readonly LocalDatabase _database;
    private readonly RawStatement _upsertBase;
    private readonly RawStatement _writeLocalView;
    private readonly SyncOutbox _outbox;

    /// <summary>Checks local changes with the same rules the server applies, so that none is refused for its shape.</summary>
    private static readonly ChangeValidator LocalChanges = new(new Protocol.ProtocolLimits());

    private LocalStore(LocalDatabase database)
    {
        _database = database;
        _upsertBase = database.Prepare(LocalSql.UpsertBase);
        _writeLocalView = database.Prepare(LocalSql.WriteLocalView);
        _outbox = new SyncOutbox(database);
    }

    public string ClientId => _database.ClientId;

    public static async Task<LocalStore> OpenAsync(string path, Func<string> newClientId, CancellationToken cancellationToken)
    {
        LocalDatabase database = await LocalDatabase.OpenAsync(path, newClientId, cancellationToken).ConfigureAwait(false);
        try
        {
            return new LocalStore(database);
        }
        catch
        {
            await database.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The greatest clock reading this replica has made or seen, so a restarted clock starts after it.</summary>
    public Task<HlcTimestamp> ReadClockFloorAsync(CancellationToken cancellationToken) =>
        _database.ReadAsync(
            transaction =>
            {
                HlcTimestamp.TryParse(_database.ReadMeta(LocalDatabase.ServerHlcKey, transaction), out HlcTimestamp server);
                return HlcTimestamp.Max(_outbox.ReadNewestHlc(transaction), server);
            },
            cancellationToken);

    /// <summary>
    /// Applies one local change to the view and appends it to the outbox, in one transaction.
    /// <paramref name="stamp"/> is called inside the transaction, so that outbox order is clock order.
    /// A change with CRDT operations gets them from <paramref name="crdt"/>, which sees the record as this
    /// replica does (server state and pending changes) and may edit its CRDT values in place (text edits).
    /// </summary>
    /// <returns>What the change adds to <see cref="QueueStats.Bytes"/>.</returns>
    public Task<long> WriteAsync(
        string opId,
        string collection,
        string id,
        ChangeKind kind,
        RawJsonValue? fields,
        Func<RecordState, Dictionary<string, CrdtOperationMessage>>? crdt,
        Func<HlcTimestamp> stamp,
        CancellationToken cancellationToken) =>
        _database.WriteAsync(transaction => Write(opId, collection, id, kind, fields, crdt, stamp(), transaction), cancellationToken);

    private long Write(
        string opId,
        string collection,
        string id,
        ChangeKind kind,
        RawJsonValue? fields,
        Func<RecordState, Dictionary<string, CrdtOperationMessage>>? crdt,
        HlcTimestamp hlc,
        SqliteTransaction transaction)
    {
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

        // Bound by position, the fields straight from their UTF-8 (see SyncOutbox.Append).
        RawStatement write = _writeLocalView;
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

        return _outbox.Append(opId, collection, id, kind, fields, hlc, operationsText);
    }

    /// <summary>The record as this replica sees it, with its CRDT state, for reading a field's merge data.</summary>
    public Task<RecordState> ReadWorkingAsync(string collection, string id, CancellationToken cancellationToken) =>
        _database.ReadAsync(transaction => BuildWorkingLocked(collection, id, transaction), cancellationToken);

    public Task<string?> ReadViewAsync(string collection, string id, CancellationToken cancellationToken) =>
        _database.ReadAsync(transaction => ReadViewLocked(collection, id, transaction), cancellationToken);

    /// <summary>Runs a query over <c>concord_view</c> and returns each row's id and JSON data.</summary>
    public Task<List<(string Id, string Data)>> QueryAsync(string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, CancellationToken cancellationToken) =>
        _database.ReadAsync(
            transaction =>
            {
                var rows = new List<(string, string)>();
                using SqliteDataReader reader = Query(sql, parameters, transaction).ExecuteReader();
                while (reader.Read())
                {
                    rows.Add((reader.GetString(0), reader.GetString(1)));
                }

                return rows;
            },
            cancellationToken);

    public Task<long> ScalarAsync(string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, CancellationToken cancellationToken) =>
        _database.ReadAsync(
            transaction => Convert.ToInt64(Query(sql, parameters, transaction).ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture),
            cancellationToken);

    /// <summary>The unacknowledged changes as stored (no batches in flight).</summary>
    public Task<QueueStats> ReadQueueStatsAsync(CancellationToken cancellationToken) =>
        _database.ReadAsync(_outbox.ReadStats, cancellationToken);

    /// <summary>The oldest unacknowledged changes, counting one more attempt for each.</summary>
    public Task<IReadOnlyList<OutboxEntry>> TakeBatchAsync(int limit, CancellationToken cancellationToken) =>
        _database.WriteAsync<IReadOnlyList<OutboxEntry>>(transaction => _outbox.TakeBatch(limit, transaction), cancellationToken);

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
        await _database.WriteAsync(
            transaction =>
            {
                var rebase = new HashSet<(string, string)>();
                foreach (OutboxEntry entry in sent)
                {
                    if (!byOpId.TryGetValue(entry.OpId, out ChangeResultMessage? result))
                    {
                        continue;
                    }

                    if (result.Status == ChangeStatus.Rejected)
                    {
                        _outbox.Remove(entry, transaction);
                        rebase.Add((entry.Collection, entry.Id));
                        SyncError error = result.Error?.ToError() ?? SyncError.InvalidChange("The server rejected the change.");
                        rejected.Add(new ChangeRejectedEventArgs(entry.OpId, entry.Collection, entry.Id, entry.Kind, error));
                    }
                    else
                    {
                        _outbox.Ack(entry, result.Version ?? 0, transaction);

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
            },
            cancellationToken).ConfigureAwait(false);
        return rejected;
    }

    /// <summary>Drops one entry the server will never accept (for example, larger than any push may be).</summary>
    public async Task<ChangeRejectedEventArgs> DropAsync(OutboxEntry entry, SyncError error, CancellationToken cancellationToken)
    {
        await _database.WriteAsync(
            transaction =>
            {
                _outbox.Remove(entry, transaction);
                RebaseLocked(entry.Collection, entry.Id, transaction);
            },
            cancellationToken).ConfigureAwait(false);
        return new ChangeRejectedEventArgs(entry.OpId, entry.Collection, entry.Id, entry.Kind, error);
    }

    public Task<string?> ReadCursorAsync(CancellationToken cancellationToken) =>
        _database.ReadAsync(transaction => _database.ReadMeta(LocalDatabase.CursorKey, transaction), cancellationToken);

    /// <summary>Forgets the cursor and remembers which records the server had, to find those it no longer has.</summary>
    public Task BeginResyncAsync(CancellationToken cancellationToken) =>
        _database.WriteAsync(
            transaction =>
            {
                if (_database.ReadMeta(LocalDatabase.ResyncKey, transaction) is null)
                {
                    _database.Command(LocalSql.BeginResync, transaction).ExecuteNonQuery();
                    _database.WriteMeta(LocalDatabase.ResyncKey, "1", transaction);
                }

                _database.DeleteMeta(LocalDatabase.CursorKey, transaction);
            },
            cancellationToken);

    /// <summary>
    /// Applies one pulled page and its cursor in one transaction: each record's base becomes the server's
    /// state, and its view is rebuilt from that base and whatever the outbox still holds for it.
    /// </summary>
    public Task ApplyPageAsync(PullResponse page, CancellationToken cancellationToken) =>
        _database.WriteAsync(transaction => ApplyPage(page, transaction), cancellationToken);

    private void ApplyPage(PullResponse page, SqliteTransaction transaction)
    {
        Dictionary<(string, string), List<OutboxEntry>>? outbox = _outbox.EntriesByRecord(transaction);
        bool resyncing = _database.ReadMeta(LocalDatabase.ResyncKey, transaction) is not null;
        RawStatement upsert = _upsertBase;
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
                SqliteCommand forget = _database.Command(LocalSql.ForgetResyncKey, transaction);
                forget.Parameters.AddWithValue("$collection", record.Collection);
                forget.Parameters.AddWithValue("$id", record.Id);
                forget.ExecuteNonQuery();
            }
        }

        if (resyncing && !page.HasMore)
        {
            FinishResyncLocked(transaction);
        }

        _database.WriteMeta(LocalDatabase.CursorKey, page.Cursor, transaction);
        _database.WriteMeta(LocalDatabase.ServerHlcKey, page.Hlc, transaction);
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();

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
                _outbox.Remove(entry, transaction);
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
        List<OutboxEntry> entries = _outbox.EntriesOf(collection, id, transaction);
        BaseColumns? columns = ReadBaseLocked(collection, id, transaction);
        if (entries.Count == 0 && columns?.Fields is null)
        {
            // Never confirmed by the server and nothing local left: the record never existed.
            SqliteCommand delete = _database.Command(LocalSql.DeleteRecord, transaction);
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

        SqliteCommand set = _database.Command(LocalSql.SetLocalView, transaction);
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
        foreach (OutboxEntry entry in _outbox.EntriesOf(collection, id, transaction))
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
        SqliteCommand read = _database.Command(LocalSql.ReadBase, transaction);
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
        SqliteCommand read = _database.Command(LocalSql.ReadBaseCrdt, transaction);
        read.Parameters.AddWithValue("$collection", collection);
        read.Parameters.AddWithValue("$id", id);
        return read.ExecuteScalar() as string;
    }

    private static string? ViewOf(RecordState state) =>
        state.IsDeleted ? null : Encoding.UTF8.GetString(RecordStateJson.WriteFields(state));

    /// <summary>Records the server no longer has (collected, or from a store that was replaced) lose their base.</summary>
    private void FinishResyncLocked(SqliteTransaction transaction)
    {
        var gone = new List<(string, string)>();
        using (SqliteDataReader reader = _database.Command(LocalSql.ResyncLeftovers, transaction).ExecuteReader())
        {
            while (reader.Read())
            {
                gone.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach ((string collection, string id) in gone)
        {
            SqliteCommand clear = _database.Command(LocalSql.ForgetBase, transaction);
            clear.Parameters.AddWithValue("$collection", collection);
            clear.Parameters.AddWithValue("$id", id);
            clear.ExecuteNonQuery();
            RebaseLocked(collection, id, transaction);
        }

        _database.Command(LocalSql.ClearResync, transaction).ExecuteNonQuery();
        _database.DeleteMeta(LocalDatabase.ResyncKey, transaction);
    }

    private string? ReadViewLocked(string collection, string id, SqliteTransaction? transaction)
    {
        SqliteCommand command = _database.Command(LocalSql.ReadView, transaction);
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

    private SqliteCommand Query(string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, SqliteTransaction transaction)
    {
        SqliteCommand command = _database.Command(sql, transaction);
        foreach ((string name, object value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    /// <summary>The base columns of one local record.</summary>
    private sealed record BaseColumns(byte[]? Fields, byte[]? Hlcs, string? Deleted, string? Crdt);
}

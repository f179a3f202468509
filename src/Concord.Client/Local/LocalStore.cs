using Concord.Client.Outbox;
using Concord.Clock;
using Concord.Errors;
using Concord.Protocol;
using Concord.Records;
using Microsoft.Data.Sqlite;

namespace Concord.Client.Local;

/// <summary>
/// The local replica the client works on: base, outbox, materialized view and cursor in one SQLite file.
/// Each call is one transaction of <see cref="LocalDatabase"/>, so a local write, a push result and a
/// pulled page never interleave.
/// </summary>
internal sealed class LocalStore : IAsyncDisposable
{
    private readonly LocalDatabase _database;
    private readonly SyncOutbox _outbox;
    private readonly RecordRebase _rebase;
    private readonly LocalBase _base;
    private readonly LocalView _view;
    private readonly LocalWriter _writer;

    private LocalStore(LocalDatabase database)
    {
        _database = database;
        _outbox = new SyncOutbox(database);
        _rebase = new RecordRebase(database, _outbox);
        _base = new LocalBase(database, _outbox, _rebase);
        _view = new LocalView(database);
        _writer = new LocalWriter(database, _view, _rebase, _outbox);
    }

    /// <summary>
    /// Raised after each committed write transaction that changed the view, with the records whose rows it
    /// changed and a reader of the state it left. It runs under the lock, before any other write, so a handler
    /// sees exactly that commit's view; it must be quick, must not use the store's other methods (the lock is
    /// held), and must not throw, since the write it reports has already happened.
    /// </summary>
    public event Action<ViewChanges, ViewReader>? ViewChanged;

    /// <summary>This replica's id, made on first open and kept in the database.</summary>
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
    /// Applies one local change to the view and appends it to the outbox, in one transaction (see
    /// <see cref="LocalWriter.Write"/>). <paramref name="stamp"/> is called inside the transaction, so that
    /// outbox order is clock order.
    /// </summary>
    /// <returns>What the change adds to <see cref="QueueStats.Bytes"/>.</returns>
    public async Task<long> WriteAsync(
        string opId,
        string collection,
        string id,
        ChangeKind kind,
        RawJsonValue? fields,
        Func<RecordState, Dictionary<string, CrdtOperationMessage>>? crdt,
        Func<HlcTimestamp> stamp,
        CancellationToken cancellationToken)
    {
        // Made only for a listener: a local write is the path the app waits on.
        Action<SqliteTransaction>? report = ViewChanged is null ? null : transaction => Report(new ViewChanges { { collection, id } }, transaction);
        return await _database.WriteAsync(transaction => _writer.Write(opId, collection, id, kind, fields, crdt, stamp(), transaction), report, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The record as this replica sees it, with its CRDT state, for reading a field's merge data.</summary>
    public Task<RecordState> ReadWorkingAsync(string collection, string id, CancellationToken cancellationToken) =>
        _database.ReadAsync(transaction => _rebase.Working(collection, id, transaction), cancellationToken);

    /// <summary>A record's JSON data as the app sees it, or null when it is absent or deleted.</summary>
    public Task<string?> ReadViewAsync(string collection, string id, CancellationToken cancellationToken) =>
        _database.ReadAsync(transaction => _view.Read(collection, id, transaction), cancellationToken);

    /// <summary>Runs a query over <c>concord_view</c> and returns each row's id and JSON data.</summary>
    public Task<List<(string Id, string Data)>> QueryAsync(string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, CancellationToken cancellationToken) =>
        _database.ReadAsync(transaction => _view.Query(sql, parameters, transaction), cancellationToken);

    /// <summary>Runs <paramref name="read"/> over the view under the lock, so that no commit comes between it and what it registers.</summary>
    public Task ReadViewAsync(Action<ViewReader> read, CancellationToken cancellationToken) =>
        _database.ReadAsync(
            transaction =>
            {
                read(new ViewReader(_view, transaction));
                return true;
            },
            cancellationToken);

    /// <summary>Runs a counting query over <c>concord_view</c>.</summary>
    public Task<long> CountAsync(string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, CancellationToken cancellationToken) =>
        _database.ReadAsync(transaction => _view.Count(sql, parameters, transaction), cancellationToken);

    /// <summary>The unacknowledged changes as stored (no batches in flight).</summary>
    public Task<QueueStats> ReadQueueStatsAsync(CancellationToken cancellationToken) =>
        _database.ReadAsync(_outbox.ReadStats, cancellationToken);

    /// <summary>The oldest unacknowledged changes, counting one more attempt for each.</summary>
    public Task<IReadOnlyList<OutboxEntry>> TakeBatchAsync(int limit, CancellationToken cancellationToken) =>
        _database.WriteAsync<IReadOnlyList<OutboxEntry>>(transaction => _outbox.TakeBatch(limit, transaction), cancellationToken);

    /// <inheritdoc cref="LocalBase.ApplyPushResults"/>
    public async Task<IReadOnlyList<ChangeRejectedEventArgs>> ApplyPushResultsAsync(IReadOnlyList<OutboxEntry> sent, IReadOnlyList<ChangeResultMessage> results, CancellationToken cancellationToken)
    {
        var changes = new ViewChanges();
        return await _database.WriteAsync(transaction => _base.ApplyPushResults(sent, results, changes, transaction), transaction => Report(changes, transaction), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops one entry the server will never accept (for example, larger than any push may be).</summary>
    /// <returns>What to tell the app.</returns>
    public async Task<ChangeRejectedEventArgs> DropAsync(OutboxEntry entry, SyncError error, CancellationToken cancellationToken)
    {
        var changes = new ViewChanges();
        await _database.WriteAsync(transaction => _base.Drop(entry, changes, transaction), transaction => Report(changes, transaction), cancellationToken).ConfigureAwait(false);
        return new ChangeRejectedEventArgs(entry.OpId, entry.Collection, entry.Id, entry.Kind, error);
    }

    public Task<string?> ReadCursorAsync(CancellationToken cancellationToken) =>
        _database.ReadAsync(transaction => _database.ReadMeta(LocalDatabase.CursorKey, transaction), cancellationToken);

    /// <inheritdoc cref="LocalBase.BeginResync"/>
    public Task BeginResyncAsync(CancellationToken cancellationToken) =>
        _database.WriteAsync(_base.BeginResync, cancellationToken);

    /// <inheritdoc cref="LocalBase.ApplyPage"/>
    public async Task ApplyPageAsync(PullResponse page, CancellationToken cancellationToken)
    {
        var changes = new ViewChanges();
        await _database.WriteAsync(transaction => _base.ApplyPage(page, changes, transaction), transaction => Report(changes, transaction), cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private void Report(ViewChanges changes, SqliteTransaction transaction)
    {
        if (changes.Count > 0)
        {
            ViewChanged?.Invoke(changes, new ViewReader(_view, transaction));
        }
    }
}

using Concord.Client.Outbox;
using Concord.Errors;
using Concord.Protocol;
using Concord.Protocol.Json;
using Concord.Records;
using Concord.Sqlite;
using Microsoft.Data.Sqlite;

namespace Concord.Client.Local;

/// <summary>
/// The base: each record as the server last confirmed it. Pulled pages replace it, the server's answers
/// to pushes acknowledge local changes or roll them back, and a resync forgets what the server no longer
/// has; each time, the views of the records concerned are rebased (<see cref="RecordRebase"/>).
/// Every method runs inside a write transaction of <see cref="LocalDatabase"/>, and adds to its
/// <see cref="ViewChanges"/> each record whose view it changed.
/// </summary>
internal sealed class LocalBase
{
    private readonly LocalDatabase _database;
    private readonly SyncOutbox _outbox;
    private readonly RecordRebase _rebase;
    private readonly RawStatement _upsert;

    public LocalBase(LocalDatabase database, SyncOutbox outbox, RecordRebase rebase)
    {
        _database = database;
        _outbox = outbox;
        _rebase = rebase;
        _upsert = database.Prepare(LocalSql.UpsertBase);
    }

    /// <summary>
    /// Applies one pulled page and its cursor: each record's base becomes the server's state, and its view
    /// is rebuilt from that base and whatever the outbox still holds for it.
    /// </summary>
    public void ApplyPage(PullResponse page, ViewChanges changes, SqliteTransaction transaction)
    {
        Dictionary<(string, string), List<OutboxEntry>>? outbox = _outbox.EntriesOf(page.Records.Select(r => (r.Collection, r.Id)), transaction);
        bool resyncing = _database.ReadMeta(LocalDatabase.ResyncKey, transaction) is not null;
        foreach (RecordMessage record in page.Records)
        {
            List<OutboxEntry>? entries = null;
            outbox?.TryGetValue((record.Collection, record.Id), out entries);
            Dictionary<string, CrdtStateMessage>? baseCrdt = record.Crdt is null
                ? null
                : BaseRecord.Merge(record, BaseRecord.LacksPlainValues(record) ? ReadBaseCrdt(record.Collection, record.Id, transaction) : null, _database.ClientId);
            string? view = null;
            bool hasLocal = (entries is not null || BaseRecord.LacksPlainValues(record))
                && TryRebase(record, baseCrdt, entries ?? [], transaction, out view);

            // Bound straight from the page's UTF-8: a fresh replica pulls many records and most take this path.
            _upsert.BindText(1, record.Collection);
            _upsert.BindText(2, record.Id);
            _upsert.BindText(3, record.Fields.Utf8.Span);
            _upsert.BindText(4, BaseRecord.StoredReadings(record));
            BindOptional(5, record.Deleted);
            _upsert.Bind(6, record.Version);
            _upsert.Bind(7, hasLocal ? 1 : 0);
            BindOptional(8, view);
            if (baseCrdt is null)
            {
                _upsert.BindNull(9);
            }
            else
            {
                _upsert.BindText(9, CrdtJson.WriteStates(baseCrdt));
            }

            _upsert.Execute();
            changes.Add(record.Collection, record.Id);
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
            FinishResync(changes, transaction);
        }

        _database.WriteMeta(LocalDatabase.CursorKey, page.Cursor, transaction);
        _database.WriteMeta(LocalDatabase.ServerHlcKey, page.Hlc, transaction);
    }

    /// <summary>
    /// Records the server's answer to a push: acknowledged entries wait for the pull that brings their
    /// effect back in the base; rejected ones leave at once and their records' views are rebuilt without them.
    /// </summary>
    /// <returns>The changes refused in whole or in part, to tell the app about.</returns>
    public List<ChangeRejectedEventArgs> ApplyPushResults(IReadOnlyList<OutboxEntry> sent, IReadOnlyList<ChangeResultMessage> results, ViewChanges changes, SqliteTransaction transaction)
    {
        var byOpId = new Dictionary<string, ChangeResultMessage>(StringComparer.Ordinal);
        foreach (ChangeResultMessage result in results)
        {
            byOpId[result.OpId] = result;
        }

        var rejected = new List<ChangeRejectedEventArgs>();
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
            _rebase.Rebase(collection, id, transaction);
            changes.Add(collection, id);
        }

        return rejected;
    }

    /// <summary>Drops one entry the server will never accept (for example, larger than any push may be).</summary>
    public void Drop(OutboxEntry entry, ViewChanges changes, SqliteTransaction transaction)
    {
        _outbox.Remove(entry, transaction);
        _rebase.Rebase(entry.Collection, entry.Id, transaction);
        changes.Add(entry.Collection, entry.Id);
    }

    /// <summary>Forgets the cursor and remembers which records the server had, to find those it no longer has.</summary>
    public void BeginResync(SqliteTransaction transaction)
    {
        if (_database.ReadMeta(LocalDatabase.ResyncKey, transaction) is null)
        {
            _database.Command(LocalSql.BeginResync, transaction).ExecuteNonQuery();
            _database.WriteMeta(LocalDatabase.ResyncKey, "1", transaction);
        }

        _database.DeleteMeta(LocalDatabase.CursorKey, transaction);
    }

    /// <summary>
    /// Drops outbox entries whose effect the new base already holds, and computes the view from the base
    /// and what is left.
    /// </summary>
    /// <returns>False when the view is the base's plain fields as they are (nothing local, no text to rebuild).</returns>
    private bool TryRebase(RecordMessage record, Dictionary<string, CrdtStateMessage>? baseCrdt, List<OutboxEntry> entries, SqliteTransaction transaction, out string? view)
    {
        view = null;
        var pending = new List<OutboxEntry>(entries.Count);
        foreach (OutboxEntry entry in entries)
        {
            if (entry.AckedVersion is { } acked && acked <= record.Version)
            {
                _outbox.Remove(entry, transaction);
            }
            else
            {
                pending.Add(entry);
            }
        }

        if (pending.Count == 0 && !BaseRecord.LacksPlainValues(record))
        {
            return false;
        }

        RecordState state = BaseRecord.Build(record.Collection, record.Id, record.Fields.Utf8, record.Hlcs.Utf8, record.Deleted, baseCrdt, _database.ClientId);
        view = RecordRebase.ViewOf(RecordRebase.Over(state, pending));
        return true;
    }

    /// <summary>Records the server no longer has (collected, or from a store that was replaced) lose their base.</summary>
    private void FinishResync(ViewChanges changes, SqliteTransaction transaction)
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
            _rebase.Rebase(collection, id, transaction);
            changes.Add(collection, id);
        }

        _database.Command(LocalSql.ClearResync, transaction).ExecuteNonQuery();
        _database.DeleteMeta(LocalDatabase.ResyncKey, transaction);
    }

    private string? ReadBaseCrdt(string collection, string id, SqliteTransaction transaction)
    {
        SqliteCommand read = _database.Command(LocalSql.ReadBaseCrdt, transaction);
        read.Parameters.AddWithValue("$collection", collection);
        read.Parameters.AddWithValue("$id", id);
        return read.ExecuteScalar() as string;
    }

    private void BindOptional(int index, string? value)
    {
        if (value is null)
        {
            _upsert.BindNull(index);
        }
        else
        {
            _upsert.BindText(index, value);
        }
    }
}

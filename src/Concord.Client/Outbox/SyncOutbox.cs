using Concord.Client.Local;
using Concord.Clock;
using Concord.Records;
using Concord.Sqlite;
using Microsoft.Data.Sqlite;

namespace Concord.Client.Outbox;

/// <summary>
/// The local changes the server has not confirmed yet, oldest first: an entry stays until the server
/// rejects it, or until the pull that brings its acknowledged effect back into the base.
/// Every method runs inside a transaction of <see cref="LocalDatabase"/>.
/// </summary>
/// <remarks>
/// Which records have entries, and their seqs, are kept in memory: a pulled page reads the entries of
/// its own records by rowid, and none at all for records without any (the common case), instead of the
/// whole outbox. An index by record would do the same at a cost on every local write.
/// </remarks>
internal sealed class SyncOutbox
{
    private readonly LocalDatabase _database;
    private readonly RawStatement _append;

    /// <summary>The seqs of each record's entries, oldest first; records without entries are absent.</summary>
    private readonly Dictionary<(string Collection, string Id), List<long>> _seqs = [];

    /// <summary>Reads which records have entries; from then on, every change to the outbox keeps that current.</summary>
    public SyncOutbox(LocalDatabase database)
    {
        _database = database;
        _append = database.Prepare(OutboxSql.Append);

        // What this transaction changed in memory is not what the file holds after a rollback.
        database.RolledBack += Load;
        Load();
    }

    /// <summary>Appends one local change, in the caller's transaction, and returns what it adds to <see cref="QueueStats.Bytes"/>.</summary>
    public long Append(string opId, string collection, string id, ChangeKind kind, RawJsonValue? fields, HlcTimestamp hlc, string? operations)
    {
        // Bound by position, the fields straight from their UTF-8: named parameters, and the fields turned
        // into a string to be turned back into UTF-8, were a tenth of what the app waits for on a write.
        Span<byte> hlcText = stackalloc byte[HlcTimestamp.HexLength + 1 + HlcTimestamp.MaxNodeIdLength];
        hlc.TryFormat(hlcText, out int hlcLength);
        long bytes = QueuedBytes(collection, id, fields, operations);
        _append.BindText(1, opId);
        _append.BindText(2, collection);
        _append.BindText(3, id);
        _append.BindText(4, Validation.ChangeValidator.FormatKind(kind));
        if (fields is { } values)
        {
            _append.BindText(5, values.Utf8.Span);
        }
        else
        {
            _append.BindNull(5);
        }

        _append.BindText(6, hlcText[..hlcLength]);
        if (operations is null)
        {
            _append.BindNull(7);
        }
        else
        {
            _append.BindText(7, operations);
        }

        _append.Bind(8, bytes);
        _append.Execute();
        if (!_seqs.TryGetValue((collection, id), out List<long>? seqs))
        {
            _seqs[(collection, id)] = seqs = new List<long>(1);
        }

        seqs.Add(_append.LastInsertRowId);
        return bytes;
    }

    /// <summary>The oldest unacknowledged changes, counting one more attempt for each.</summary>
    public List<OutboxEntry> TakeBatch(int limit, SqliteTransaction transaction)
    {
        var entries = new List<OutboxEntry>();
        SqliteCommand peek = _database.Command(OutboxSql.Peek, transaction);
        peek.Parameters.AddWithValue("$limit", limit);
        using (SqliteDataReader reader = peek.ExecuteReader())
        {
            while (reader.Read())
            {
                entries.Add(ReadEntry(reader));
            }
        }

        foreach (OutboxEntry entry in entries)
        {
            SqliteCommand attempt = _database.Command(OutboxSql.CountAttempt, transaction);
            attempt.Parameters.AddWithValue("$seq", entry.Seq);
            attempt.ExecuteNonQuery();
        }

        return entries;
    }

    /// <summary>Marks an entry applied by the server as <paramref name="version"/>: it no longer counts as queued.</summary>
    public void Ack(OutboxEntry entry, long version, SqliteTransaction transaction)
    {
        SqliteCommand ack = _database.Command(OutboxSql.Ack, transaction);
        ack.Parameters.AddWithValue("$seq", entry.Seq);
        ack.Parameters.AddWithValue("$version", version);
        ack.ExecuteNonQuery();
    }

    /// <summary>Removes an entry for good: rejected, dropped, or its effect pulled back into the base.</summary>
    public void Remove(OutboxEntry entry, SqliteTransaction transaction)
    {
        SqliteCommand delete = _database.Command(OutboxSql.Delete, transaction);
        delete.Parameters.AddWithValue("$seq", entry.Seq);
        delete.ExecuteNonQuery();
        if (_seqs.TryGetValue((entry.Collection, entry.Id), out List<long>? seqs) && seqs.Remove(entry.Seq) && seqs.Count == 0)
        {
            _seqs.Remove((entry.Collection, entry.Id));
        }
    }

    /// <summary>Every entry of one record, oldest first.</summary>
    public List<OutboxEntry> EntriesOf(string collection, string id, SqliteTransaction transaction) =>
        _seqs.TryGetValue((collection, id), out List<long>? seqs) ? ReadBySeq(seqs, transaction) : [];

    /// <summary>The entries of the given records, grouped by record, or null when none of them has any (the common case for a page).</summary>
    public Dictionary<(string, string), List<OutboxEntry>>? EntriesOf(IEnumerable<(string Collection, string Id)> records, SqliteTransaction transaction)
    {
        if (_seqs.Count == 0)
        {
            return null;
        }

        List<long>? wanted = null;
        foreach ((string Collection, string Id) record in records)
        {
            if (_seqs.TryGetValue(record, out List<long>? seqs))
            {
                (wanted ??= []).AddRange(seqs);
            }
        }

        if (wanted is null)
        {
            return null;
        }

        var byRecord = new Dictionary<(string, string), List<OutboxEntry>>();
        foreach (OutboxEntry entry in ReadBySeq(wanted, transaction))
        {
            if (!byRecord.TryGetValue((entry.Collection, entry.Id), out List<OutboxEntry>? list))
            {
                byRecord[(entry.Collection, entry.Id)] = list = [];
            }

            list.Add(entry);
        }

        return byRecord;
    }

    /// <summary>The unacknowledged entries: how many, and their bytes as stored.</summary>
    public QueueStats ReadStats(SqliteTransaction transaction)
    {
        using SqliteDataReader reader = _database.Command(OutboxSql.QueueStats, transaction).ExecuteReader();
        reader.Read();
        return new QueueStats(reader.GetInt64(0), reader.GetInt64(1), 0);
    }

    /// <summary>The newest clock reading of any entry, or the zero reading when the outbox is empty.</summary>
    public HlcTimestamp ReadNewestHlc(SqliteTransaction transaction)
    {
        HlcTimestamp.TryParse(_database.Command(OutboxSql.MaxHlc, transaction).ExecuteScalar() as string, out HlcTimestamp newest);
        return newest;
    }

    /// <summary>Reads which records have entries, from the file as it is outside any transaction.</summary>
    private void Load()
    {
        _seqs.Clear();
        using SqliteDataReader reader = _database.Command(OutboxSql.Records, null).ExecuteReader();
        while (reader.Read())
        {
            (string, string) record = (reader.GetString(1), reader.GetString(2));
            if (!_seqs.TryGetValue(record, out List<long>? seqs))
            {
                _seqs[record] = seqs = [];
            }

            seqs.Add(reader.GetInt64(0));
        }
    }

    private List<OutboxEntry> ReadBySeq(List<long> seqs, SqliteTransaction transaction)
    {
        SqliteCommand command = _database.Command(OutboxSql.BySeq, transaction);
        command.Parameters.AddWithValue("$seqs", "[" + string.Join(',', seqs) + "]");
        var entries = new List<OutboxEntry>(seqs.Count);
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            entries.Add(ReadEntry(reader));
        }

        return entries;
    }

    /// <summary>
    /// What one entry counts for in <see cref="QueueStats.Bytes"/>: what it carries to the server, and a fixed
    /// allowance for the rest of its row. Stored with the entry, so that a reopened outbox sums the same figure.
    /// </summary>
    private static long QueuedBytes(string collection, string id, RawJsonValue? fields, string? operations) =>
        64 + collection.Length + id.Length + (fields?.Utf8.Length ?? 0) + (operations?.Length ?? 0);

    /// <summary>Reads the columns seq, op_id, kind, fields, hlc, base_version, acked_version, crdt, collection, id, in that order.</summary>
    private static OutboxEntry ReadEntry(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(8),
        reader.GetString(9),
        reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.GetString(4),
        reader.IsDBNull(5) ? null : reader.GetInt64(5),
        reader.IsDBNull(6) ? null : reader.GetInt64(6),
        reader.IsDBNull(7) ? null : reader.GetString(7));
}

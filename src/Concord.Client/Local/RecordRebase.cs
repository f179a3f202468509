using System.Text;
using Concord.Client.Outbox;
using Concord.Merge;
using Concord.Protocol.Json;
using Concord.Records;
using Microsoft.Data.Sqlite;

namespace Concord.Client.Local;

/// <summary>
/// Rebase, the one way a record's view is computed when it is not simply the base: the base (what the
/// server last confirmed) with the changes still in the outbox merged over it, oldest first.
/// </summary>
internal sealed class RecordRebase(LocalDatabase database, SyncOutbox outbox)
{
    /// <summary>Merges <paramref name="pending"/> over <paramref name="state"/>, in order, and returns it.</summary>
    public static RecordState Over(RecordState state, IEnumerable<OutboxEntry> pending)
    {
        foreach (OutboxEntry entry in pending)
        {
            LastWriterWinsMerge.TryApply(state, entry.ToChange(), out _);
        }

        return state;
    }

    /// <summary>The view of a record: its fields as JSON, or null when it is deleted.</summary>
    public static string? ViewOf(RecordState state) =>
        state.IsDeleted ? null : Encoding.UTF8.GetString(RecordStateJson.WriteFields(state));

    /// <summary>The record as this replica sees it: its stored base with every outbox entry for it merged over it.</summary>
    public RecordState Working(string collection, string id, SqliteTransaction transaction) =>
        Over(BuildBase(collection, id, ReadBase(collection, id, transaction)), outbox.EntriesOf(collection, id, transaction));

    /// <summary>Computes a record's stored view again, after entries left the outbox or its base was forgotten.</summary>
    public void Rebase(string collection, string id, SqliteTransaction transaction)
    {
        List<OutboxEntry> entries = outbox.EntriesOf(collection, id, transaction);
        BaseColumns? columns = ReadBase(collection, id, transaction);
        if (entries.Count == 0 && columns?.Fields is null)
        {
            // Never confirmed by the server and nothing local left: the record never existed.
            SqliteCommand delete = database.Command(LocalSql.DeleteRecord, transaction);
            delete.Parameters.AddWithValue("$collection", collection);
            delete.Parameters.AddWithValue("$id", id);
            delete.ExecuteNonQuery();
            return;
        }

        bool rebuild = entries.Count > 0 || columns?.Crdt is not null;
        string? view = rebuild ? ViewOf(Over(BuildBase(collection, id, columns), entries)) : null;
        SqliteCommand set = database.Command(LocalSql.SetLocalView, transaction);
        set.Parameters.AddWithValue("$collection", collection);
        set.Parameters.AddWithValue("$id", id);
        set.Parameters.AddWithValue("$hasLocal", rebuild ? 1 : 0);
        set.Parameters.AddWithValue("$view", (object?)view ?? DBNull.Value);
        set.ExecuteNonQuery();
    }

    private RecordState BuildBase(string collection, string id, BaseColumns? columns) =>
        BaseRecord.Build(
            collection,
            id,
            columns?.Fields,
            columns?.Hlcs,
            columns?.Deleted,
            columns?.Crdt is { } crdt ? CrdtJson.ReadStates(Encoding.UTF8.GetBytes(crdt)) : null,
            database.ClientId);

    private BaseColumns? ReadBase(string collection, string id, SqliteTransaction transaction)
    {
        SqliteCommand read = database.Command(LocalSql.ReadBase, transaction);
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

    /// <summary>The base columns of one local record.</summary>
    private sealed record BaseColumns(byte[]? Fields, byte[]? Hlcs, string? Deleted, string? Crdt);
}

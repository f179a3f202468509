using Concord.Crdt;
using Concord.Protocol;
using Concord.Records;
using Microsoft.Data.Sqlite;

namespace Concord.Server.Sqlite;

/// <summary>
/// Turns a pulled record's text fields into deltas for a client that keeps CRDT state: the updates
/// logged since the client's cursor instead of the whole document and its whole state.
/// </summary>
internal static class TextDeltas
{
    public static RecordMessage Apply(RecordMessage record, SqliteConnection connection, SqliteTransaction snapshot, string tenant, long afterVersion)
    {
        var crdt = new Dictionary<string, CrdtStateMessage>(record.Crdt!, StringComparer.Ordinal);
        var textFields = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string field, CrdtStateMessage state) in record.Crdt!)
        {
            if (state.Type != "text")
            {
                continue;
            }

            List<(long Version, byte[] Update)> log = ReadLog(connection, snapshot, tenant, record.Collection, record.Id, field);

            // The log covers the cursor only if nothing after the cursor was compacted away.
            if (log.Count == 0 || log[0].Version - 1 > afterVersion)
            {
                continue;
            }

            byte[][] since = log.Where(e => e.Version > afterVersion).Select(e => e.Update).ToArray();
            textFields.Add(field);

            // No state and no delta: unchanged since the cursor; the client keeps what it has.
            crdt[field] = since.Length == 0
                ? new CrdtStateMessage { Type = "text" }
                : new CrdtStateMessage { Type = "text", Delta = TextValue.MergeUpdates(since) };
        }

        if (textFields.Count == 0)
        {
            return record;
        }

        // The client rebuilds these values from its own text state; sending them would defeat the delta.
        var fields = new Dictionary<string, RawJsonValue>(StringComparer.Ordinal);
        JsonObjectFields.TrySplit(record.Fields, fields, out _);
        foreach (string field in textFields)
        {
            fields.Remove(field);
        }

        return new RecordMessage
        {
            Collection = record.Collection,
            Id = record.Id,
            Version = record.Version,
            Fields = RawJsonValue.FromValidatedUtf8(JsonObjectFields.Write(fields)),
            Hlcs = record.Hlcs,
            Deleted = record.Deleted,
            Crdt = crdt,
        };
    }

    private static List<(long, byte[])> ReadLog(SqliteConnection connection, SqliteTransaction snapshot, string tenant, string collection, string id, string field)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = snapshot;
        command.CommandText = SqliteStoreSql.ReadTextLog;
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$collection", collection);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$field", field);
        var log = new List<(long, byte[])>();
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            log.Add((reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)));
        }

        return log;
    }
}

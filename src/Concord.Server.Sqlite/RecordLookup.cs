using System.Buffers;
using System.Text;
using System.Text.Json;
using Concord.Crdt;
using Concord.Protocol;
using Concord.Protocol.Json;
using Concord.Records;
using Concord.Server.Storage;
using Microsoft.Data.Sqlite;

namespace Concord.Server.Sqlite;

/// <summary>
/// Finds which of a batch's op ids were applied before and the stored records its changes touch,
/// one statement per chunk of changes instead of one per change.
/// </summary>
internal sealed class RecordLookup : IDisposable
{
    /// <summary>
    /// Changes per statement: each chunk's key list stays small enough not to be a large-object-heap
    /// string (whose collections cost more than the lookups).
    /// </summary>
    public const int Chunk = 256;

    private readonly SqliteCommand _findOps;
    private readonly SqliteCommand _findRecords;

    public RecordLookup(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        _findOps = WriterCommands.Create(connection, SqliteStoreSql.FindOps, "$tenant", "$opIds");
        _findRecords = WriterCommands.Create(connection, SqliteStoreSql.FindRecords, "$tenant", "$keys");
        Enlist(transaction);
    }

    public void Enlist(SqliteTransaction? transaction)
    {
        _findOps.Transaction = transaction;
        _findRecords.Transaction = transaction;
    }

    /// <summary>
    /// Adds what is stored for <paramref name="changes"/> to <paramref name="appliedOps"/> and
    /// <paramref name="records"/>; entries already there are newer than the store's and are kept.
    /// </summary>
    public void Load(string tenant, Change[] changes, Dictionary<string, long> appliedOps, Dictionary<(string, string), RecordState> records)
    {
        _findOps.Parameters["$tenant"].Value = tenant;
        _findOps.Parameters["$opIds"].Value = SqliteSyncStore.JsonArray(changes.Select(c => c.OpId));
        using (SqliteDataReader reader = _findOps.ExecuteReader())
        {
            while (reader.Read())
            {
                appliedOps.TryAdd(reader.GetString(0), reader.GetInt64(1));
            }
        }

        _findRecords.Parameters["$tenant"].Value = tenant;
        _findRecords.Parameters["$keys"].Value = KeyArray(changes);
        using (SqliteDataReader reader = _findRecords.ExecuteReader())
        {
            while (reader.Read())
            {
                string collection = reader.GetString(0);
                string id = reader.GetString(1);
                if (!records.ContainsKey((collection, id)))
                {
                    records.Add((collection, id), ReadRecord(reader, collection, id));
                }
            }
        }
    }

    public void Dispose()
    {
        _findOps.Dispose();
        _findRecords.Dispose();
    }

    private static RecordState ReadRecord(SqliteDataReader reader, string collection, string id)
    {
        RecordState state = StoredClocks.Read(
            collection,
            id,
            reader.GetFieldValue<byte[]>(3),
            SqliteSyncStore.ReadHlc(reader, 4),
            reader.GetInt64(8),
            reader.IsDBNull(5) ? default : reader.GetFieldValue<byte[]>(5),
            SqliteSyncStore.ReadHlc(reader, 6),
            SqliteSyncStore.ReadHlc(reader, 7),
            reader.GetInt64(2));
        if (!reader.IsDBNull(9))
        {
            foreach ((string field, CrdtStateMessage crdt) in CrdtJson.ReadStates(reader.GetFieldValue<byte[]>(9)))
            {
                state.RestoreCrdt(field, CrdtValue.FromMessage(crdt));
            }
        }

        return state;
    }

    private static string KeyArray(Change[] changes)
    {
        var buffer = new ArrayBufferWriter<byte>(changes.Length * 64);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (Change change in changes)
            {
                json.WriteStartArray();
                json.WriteStringValue(change.Collection);
                json.WriteStringValue(change.Id);
                json.WriteEndArray();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

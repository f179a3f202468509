using Concord.Clock;
using Concord.Records;
using Concord.Server.Storage;
using Microsoft.Data.Sqlite;

namespace Concord.Server.Sqlite;

/// <summary>The writer connection's statements, prepared once and reused for every batch.</summary>
internal sealed class WriterCommands : IDisposable
{
    private readonly SqliteCommand _upsertRecord;
    private readonly SqliteCommand _insertOp;
    private readonly SqliteCommand _writeTenant;

    public WriterCommands(SqliteConnection connection)
    {
        FindOps = Create(connection, SqliteStoreSql.FindOps, "$tenant", "$opIds");
        FindRecords = Create(connection, SqliteStoreSql.FindRecords, "$tenant", "$keys");
        _upsertRecord = Create(connection, SqliteStoreSql.UpsertRecord, "$tenant", "$collection", "$id", "$version", "$fields", "$hlc", "$overrides", "$tombstone", "$watermark", "$deleted");
        _insertOp = Create(connection, SqliteStoreSql.InsertOp, "$tenant", "$opId", "$version", "$appliedAt");
        _writeTenant = Create(connection, SqliteStoreSql.WriteTenant, "$tenant", "$version", "$records", "$ops");
    }

    public SqliteCommand FindOps { get; }

    public SqliteCommand FindRecords { get; }

    public void Enlist(SqliteTransaction transaction)
    {
        FindOps.Transaction = transaction;
        FindRecords.Transaction = transaction;
        _upsertRecord.Transaction = transaction;
        _insertOp.Transaction = transaction;
        _writeTenant.Transaction = transaction;
    }

    public void UpsertRecord(string tenant, RecordState state)
    {
        SqliteParameterCollection p = _upsertRecord.Parameters;
        p[0].Value = tenant;
        p[1].Value = state.Collection;
        p[2].Value = state.Id;
        p[3].Value = state.Version;
        (HlcTimestamp common, byte[]? overrides) = StoredClocks.Split(state);
        p[4].Value = RecordStateJson.WriteFields(state);
        p[5].Value = common.ToString();
        p[6].Value = (object?)overrides ?? DBNull.Value;
        p[7].Value = state.Tombstone.IsEmpty ? DBNull.Value : state.Tombstone.ToString();
        p[8].Value = state.Watermark.IsEmpty ? DBNull.Value : state.Watermark.ToString();
        p[9].Value = state.IsDeleted ? 1 : 0;
        _upsertRecord.ExecuteNonQuery();
    }

    public void InsertOp(string tenant, string opId, long version, long appliedAt)
    {
        SqliteParameterCollection p = _insertOp.Parameters;
        p[0].Value = tenant;
        p[1].Value = opId;
        p[2].Value = version;
        p[3].Value = appliedAt;
        _insertOp.ExecuteNonQuery();
    }

    public void WriteTenant(string tenant, long version, long records, long ops)
    {
        SqliteParameterCollection p = _writeTenant.Parameters;
        p[0].Value = tenant;
        p[1].Value = version;
        p[2].Value = records;
        p[3].Value = ops;
        _writeTenant.ExecuteNonQuery();
    }

    public void Dispose()
    {
        FindOps.Dispose();
        FindRecords.Dispose();
        _upsertRecord.Dispose();
        _insertOp.Dispose();
        _writeTenant.Dispose();
    }

    private static SqliteCommand Create(SqliteConnection connection, string sql, params string[] parameters)
    {
        SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (string name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }
}

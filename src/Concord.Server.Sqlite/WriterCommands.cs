using Concord.Clock;
using Concord.Records;
using Concord.Server.Storage;
using Concord.Sqlite;
using Microsoft.Data.Sqlite;

namespace Concord.Server.Sqlite;

/// <summary>The writer connection's statements, prepared once and reused for every batch.</summary>
internal sealed class WriterCommands : IDisposable
{
    private const int MaxHlcBytes = HlcTimestamp.HexLength + 1 + HlcTimestamp.MaxNodeIdLength;

    /// <summary>How many recent updates of each text field the log keeps for delta pulls.</summary>
    private const int TextLogEntries = 64;

    private readonly RawStatement _upsertRecord;
    private readonly RawStatement _insertOp;
    private readonly RawStatement _appendTextLog;
    private readonly RawStatement _clearTextLog;
    private readonly RawStatement _compactTextLog;
    private readonly SqliteCommand _writeTenant;

    public WriterCommands(SqliteConnection connection)
    {
        Lookup = new RecordLookup(connection);
        _upsertRecord = new RawStatement(connection, SqliteStoreSql.UpsertRecord);
        _insertOp = new RawStatement(connection, SqliteStoreSql.InsertOp);
        _appendTextLog = new RawStatement(connection, SqliteStoreSql.AppendTextLog);
        _clearTextLog = new RawStatement(connection, SqliteStoreSql.ClearTextLog);
        _compactTextLog = new RawStatement(connection, SqliteStoreSql.CompactTextLog);
        _writeTenant = Create(connection, SqliteStoreSql.WriteTenant, "$tenant", "$version", "$records", "$ops");
    }

    public RecordLookup Lookup { get; }

    public void Enlist(SqliteTransaction transaction)
    {
        Lookup.Enlist(transaction);
        _writeTenant.Transaction = transaction;
    }

    /// <summary>Binds by position, in the column order of <see cref="SqliteStoreSql.UpsertRecord"/>.</summary>
    public void UpsertRecord(string tenant, StoredRow row)
    {
        Span<byte> hlc = stackalloc byte[MaxHlcBytes];
        _upsertRecord.BindText(1, tenant);
        _upsertRecord.BindText(2, row.Collection);
        _upsertRecord.BindText(3, row.Id);
        _upsertRecord.Bind(4, row.Version);
        _upsertRecord.BindBlob(5, row.Fields);
        _upsertRecord.BindText(6, Format(row.Common, hlc));
        BindBlobOrNull(7, row.Overrides);
        BindHlc(_upsertRecord, 8, row.Tombstone, hlc);
        BindHlc(_upsertRecord, 9, row.Watermark, hlc);
        _upsertRecord.Bind(10, row.Deleted ? 1 : 0);
        _upsertRecord.Bind(11, row.CommonVersion);
        BindBlobOrNull(12, row.Crdt);
        _upsertRecord.Execute();
    }

    public void InsertOp(string tenant, string opId, long version, long appliedAt)
    {
        _insertOp.BindText(1, tenant);
        _insertOp.BindText(2, opId);
        _insertOp.Bind(3, version);
        _insertOp.Bind(4, appliedAt);
        _insertOp.Execute();
    }

    public void AppendTextLog(string tenant, Change change, string field, long version, ReadOnlySpan<byte> update)
    {
        _appendTextLog.BindText(1, tenant);
        _appendTextLog.BindText(2, change.Collection);
        _appendTextLog.BindText(3, change.Id);
        _appendTextLog.BindText(4, field);
        _appendTextLog.Bind(5, version);
        _appendTextLog.BindBlob(6, update);
        _appendTextLog.Execute();
    }

    public void ClearTextLog(string tenant, string collection, string id)
    {
        _clearTextLog.BindText(1, tenant);
        _clearTextLog.BindText(2, collection);
        _clearTextLog.BindText(3, id);
        _clearTextLog.Execute();
    }

    public void CompactTextLog(string tenant, string collection, string id, string field)
    {
        _compactTextLog.BindText(1, tenant);
        _compactTextLog.BindText(2, collection);
        _compactTextLog.BindText(3, id);
        _compactTextLog.BindText(4, field);
        _compactTextLog.Bind(5, TextLogEntries);
        _compactTextLog.Execute();
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
        Lookup.Dispose();
        _upsertRecord.Dispose();
        _insertOp.Dispose();
        _appendTextLog.Dispose();
        _clearTextLog.Dispose();
        _compactTextLog.Dispose();
        _writeTenant.Dispose();
    }

    private void BindBlobOrNull(int index, byte[]? value)
    {
        if (value is null)
        {
            _upsertRecord.BindNull(index);
        }
        else
        {
            _upsertRecord.BindBlob(index, value);
        }
    }

    private static void BindHlc(RawStatement statement, int index, HlcTimestamp value, Span<byte> buffer)
    {
        if (value.IsEmpty)
        {
            statement.BindNull(index);
        }
        else
        {
            statement.BindText(index, Format(value, buffer));
        }
    }

    private static ReadOnlySpan<byte> Format(HlcTimestamp value, Span<byte> buffer)
    {
        value.TryFormat(buffer, out int length);
        return buffer[..length];
    }

    internal static SqliteCommand Create(SqliteConnection connection, string sql, params string[] parameters)
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

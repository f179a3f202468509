using Microsoft.Data.Sqlite;
using SQLitePCL;

// Compiled into each assembly that writes SQLite on a hot path (see the project files), so that
// neither has to expose it publicly.
namespace Concord.Sqlite;

/// <summary>
/// A statement prepared once on a connection's native handle and bound by position, for the
/// statements that run once per record. Microsoft.Data.Sqlite looks every parameter up by name,
/// allocates a reader and re-encodes strings on each execution; here, binding is a native call on
/// bytes that are already UTF-8.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public RawStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    public void BindText(int index, ReadOnlySpan<byte> utf8) => Check(raw.sqlite3_bind_text(_statement, index, utf8));

    /// <summary>Binds a string as UTF-8 without allocating for the short ones (names, ids, op ids).</summary>
    public void BindText(int index, string value)
    {
        if (value.Length > 256)
        {
            Check(raw.sqlite3_bind_text(_statement, index, value));
            return;
        }

        Span<byte> utf8 = stackalloc byte[value.Length * 3];
        int length = System.Text.Encoding.UTF8.GetBytes(value, utf8);
        Check(raw.sqlite3_bind_text(_statement, index, utf8[..length]));
    }

    public void BindBlob(int index, ReadOnlySpan<byte> bytes) => Check(raw.sqlite3_bind_blob(_statement, index, bytes));

    public void BindNull(int index) => Check(raw.sqlite3_bind_null(_statement, index));

    /// <summary>Runs a statement that returns no rows, and readies it for the next run.</summary>
    public void Execute()
    {
        int rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE)
        {
            Check(rc);
        }
    }

    /// <summary>The rowid of the row that the connection's last insert added.</summary>
    public long LastInsertRowId => raw.sqlite3_last_insert_rowid(_db);

    public void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), rc);
        }
    }
}

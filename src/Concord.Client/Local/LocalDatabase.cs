using Concord.Sqlite;
using Microsoft.Data.Sqlite;

namespace Concord.Client.Local;

/// <summary>
/// The client's SQLite file: one connection, used by one caller at a time, so that a local write, a push
/// result and a pulled page never interleave. Every read and write runs in a transaction under that one lock,
/// and the small values kept beside the records (cursor, client id, server clock, resync flag) live here.
/// </summary>
internal sealed class LocalDatabase : IAsyncDisposable
{
    /// <summary>Meta key of the pull cursor.</summary>
    public const string CursorKey = "cursor";

    /// <summary>Meta key of the clock reading of the last page pulled.</summary>
    public const string ServerHlcKey = "server_hlc";

    /// <summary>Meta key present while a resync from a fresh snapshot is under way.</summary>
    public const string ResyncKey = "resync";

    private const string ClientIdKey = "client_id";

    private readonly SqliteConnection _connection;
    private readonly CommandCache _commands;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly List<RawStatement> _statements = [];
    private WalCheckpointer? _checkpointer;

    private LocalDatabase(SqliteConnection connection)
    {
        _connection = connection;
        _commands = new CommandCache(connection);
    }

    /// <summary>This replica's id, made on first open and kept in the file.</summary>
    public string ClientId { get; private set; } = string.Empty;

    /// <summary>Opens (creating if needed) the file at <paramref name="path"/> and brings its schema up to date.</summary>
    public static async Task<LocalDatabase> OpenAsync(string path, Func<string> newClientId, CancellationToken cancellationToken)
    {
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var database = new LocalDatabase(connection);
        try
        {
            database.Execute("PRAGMA journal_mode=WAL");
            database.Execute("PRAGMA synchronous=NORMAL");

            // Pulled pages write a lot; checkpoints run beside them instead of inside every thousandth page of WAL.
            database.Execute("PRAGMA wal_autocheckpoint=0");
            database.Execute("PRAGMA journal_size_limit=67108864");
            LocalSchema.Migrate(connection);
            database._checkpointer = new WalCheckpointer(connection.ConnectionString, database._lock);
            database.ClientId = await database.WriteAsync(
                transaction =>
                {
                    if (database.ReadMeta(ClientIdKey, transaction) is { } kept)
                    {
                        return kept;
                    }

                    string made = newClientId();
                    database.WriteMeta(ClientIdKey, made, transaction);
                    return made;
                },
                cancellationToken).ConfigureAwait(false);
            return database;
        }
        catch
        {
            await database.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Raised under the lock after a write transaction failed and was rolled back, so that what is kept in
    /// memory beside the file can be read again from it.
    /// </summary>
    public event Action? RolledBack;

    /// <summary>Runs <paramref name="read"/> in a transaction of its own, under the lock.</summary>
    public async Task<T> ReadAsync<T>(Func<SqliteTransaction, T> read, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using SqliteTransaction transaction = _connection.BeginTransaction(deferred: true);
            return read(transaction);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Runs <paramref name="write"/> in a write transaction under the lock, and commits it.</summary>
    public Task<T> WriteAsync<T>(Func<SqliteTransaction, T> write, CancellationToken cancellationToken) =>
        WriteAsync(write, null, cancellationToken);

    /// <summary>
    /// Runs <paramref name="write"/> in a write transaction under the lock and commits it; then, still under the
    /// lock, <paramref name="committed"/> reads the state that commit left, before any other write can change it.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<SqliteTransaction, T> write, Action<SqliteTransaction>? committed, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            T result = RunAndCommit(write);

            // Automatic checkpoints are off (see OpenAsync): every commit asks the checkpointer for one.
            _checkpointer?.Poke();
            if (committed is not null)
            {
                using SqliteTransaction read = _connection.BeginTransaction(deferred: true);
                committed(read);
            }

            return result;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc cref="WriteAsync{T}(Func{SqliteTransaction, T}, Action{SqliteTransaction}, CancellationToken)"/>
    public Task WriteAsync(Action<SqliteTransaction> write, CancellationToken cancellationToken) =>
        WriteAsync(write, null, cancellationToken);

    /// <inheritdoc cref="WriteAsync{T}(Func{SqliteTransaction, T}, Action{SqliteTransaction}, CancellationToken)"/>
    public Task WriteAsync(Action<SqliteTransaction> write, Action<SqliteTransaction>? committed, CancellationToken cancellationToken) =>
        WriteAsync(
            transaction =>
            {
                write(transaction);
                return true;
            },
            committed,
            cancellationToken);

    /// <summary>The cached command for <paramref name="sql"/>, its parameters cleared, in <paramref name="transaction"/>.</summary>
    public SqliteCommand Command(string sql, SqliteTransaction? transaction) => _commands.Get(sql, transaction);

    /// <summary>A statement bound by position, for the ones that run once per record; disposed with the database.</summary>
    public RawStatement Prepare(string sql)
    {
        var statement = new RawStatement(_connection, sql);
        _statements.Add(statement);
        return statement;
    }

    public string? ReadMeta(string key, SqliteTransaction transaction)
    {
        SqliteCommand command = _commands.Get(LocalSql.ReadMeta, transaction);
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() as string;
    }

    public void WriteMeta(string key, string value, SqliteTransaction transaction)
    {
        SqliteCommand command = _commands.Get(LocalSql.WriteMeta, transaction);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.ExecuteNonQuery();
    }

    public void DeleteMeta(string key, SqliteTransaction transaction)
    {
        SqliteCommand command = _commands.Get(LocalSql.DeleteMeta, transaction);
        command.Parameters.AddWithValue("$key", key);
        command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            _commands.Dispose();
            foreach (RawStatement statement in _statements)
            {
                statement.Dispose();
            }

            if (_checkpointer is not null)
            {
                await _checkpointer.DisposeAsync().ConfigureAwait(false);
            }

            await _connection.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    private T RunAndCommit<T>(Func<SqliteTransaction, T> write)
    {
        try
        {
            using SqliteTransaction transaction = _connection.BeginTransaction(deferred: false);
            T result = write(transaction);
            transaction.Commit();
            return result;
        }
        catch
        {
            // Disposed above, the transaction is rolled back: the file reads as it did before it.
            RolledBack?.Invoke();
            throw;
        }
    }

    private void Execute(string sql)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

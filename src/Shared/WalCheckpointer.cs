using Microsoft.Data.Sqlite;

// Compiled into each assembly that writes SQLite under load (see the project files).
namespace Concord.Sqlite;

/// <summary>
/// Copies the write-ahead log back into the database file on its own connection and thread.
/// </summary>
/// <remarks>
/// SQLite's automatic checkpoint runs inside the commit that crosses the threshold, so one batch
/// in a few pays for copying everyone's pages and for the fsync: a third of the write path under
/// load. Here the writer only signals; checkpoints are PASSIVE (they never block the writer or
/// readers) and run while the next batch is being decoded and merged. Durability is unchanged:
/// a committed batch is in the WAL either way.
/// </remarks>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public WalCheckpointer(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Asks for a checkpoint soon. Cheap; signals while one is pending collapse into it.</summary>
    public void Poke()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another commit signalled first: one checkpoint serves both.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        Checkpoint("TRUNCATE");
        await _connection.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        _signal.Dispose();
    }

    private async Task RunAsync()
    {
        while (true)
        {
            try
            {
                await _signal.WaitAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Checkpoint("PASSIVE");
        }
    }

    private void Checkpoint(string mode)
    {
        try
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = $"PRAGMA wal_checkpoint({mode})";
            command.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // A busy or failed checkpoint loses nothing: the pages stay in the WAL and the next one copies them.
        }
    }
}

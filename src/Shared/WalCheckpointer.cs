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
/// <para>
/// A passive checkpoint alone never lets the log start over under steady writes: SQLite rewinds the
/// WAL only when a writer finds every frame copied back, and a writer that commits while the copy is
/// under way always finds new frames after it. The log then grows without bound (hundreds of MB after
/// a few minutes of local writes), and every commit pays the file system for extending it. So once
/// the log holds <see cref="RewindFrames"/> more frames, the writer itself copies the few frames left
/// right after a commit (see <see cref="Committed"/>), and its next transaction starts the log over.
/// Waiting for the writer instead (a RESTART checkpoint here) would make it retry its lock, which
/// Microsoft.Data.Sqlite does by sleeping 150 ms.
/// </para>
/// </remarks>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    /// <summary>Growth of the log, in frames (pages), after which the writer helps it start over: SQLite's own automatic checkpoint threshold.</summary>
    internal const int RewindFrames = 1000;

    private const int RewindTries = 4;

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile bool _rewindDue;
    private long _rewindAt = RewindFrames;
    private int _rewindTries;

    public WalCheckpointer(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        // Its own thread: it blocks on file system calls, and must not wait for a busy thread pool to get one.
        _loop = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Called by the writer after each commit, on its own connection and before its next transaction:
    /// asks for a checkpoint soon, and copies what is left of a long log so that the next transaction starts it over.
    /// </summary>
    public void Committed(SqliteConnection writer)
    {
        // The log starts over in the transaction after a checkpoint that found nothing left to copy; a reader
        // or the checkpointer itself in the way defers that, so the writer tries again for a few commits.
        if (_rewindDue && (Checkpoint(writer) < RewindFrames || ++_rewindTries == RewindTries))
        {
            _rewindTries = 0;
            _rewindDue = false;
        }

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
        Checkpoint(_connection, "TRUNCATE");
        await _connection.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        _signal.Dispose();
    }

    private void Run()
    {
        while (true)
        {
            try
            {
                _signal.Wait(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // While the writer is due to finish the copy, a checkpoint here would only contend with it.
            if (_rewindDue)
            {
                continue;
            }

            long log = Checkpoint(_connection);
            if (log < RewindFrames)
            {
                _rewindAt = RewindFrames;
            }
            else if (log >= _rewindAt)
            {
                // If readers keep the log from starting over, ask again only after as much more growth.
                _rewindAt = log + RewindFrames;
                _rewindDue = true;
            }
        }
    }

    /// <returns>The frames in the log when the checkpoint ended (0 when it could not run).</returns>
    private static long Checkpoint(SqliteConnection connection, string mode = "PASSIVE")
    {
        try
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = $"PRAGMA wal_checkpoint({mode})";
            using SqliteDataReader result = command.ExecuteReader();
            return result.Read() ? result.GetInt64(1) : 0;
        }
        catch (SqliteException)
        {
            // A busy or failed checkpoint loses nothing: the pages stay in the WAL and the next one copies them.
            return 0;
        }
    }
}

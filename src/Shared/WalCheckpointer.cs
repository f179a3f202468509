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
/// the log has grown by <see cref="RewindFrames"/> frames, one checkpoint runs holding the owner's
/// writer lock, between two of its transactions: it copies the few frames left, and the next
/// transaction starts the log over. Holding SQLite's own write lock instead (a RESTART checkpoint)
/// would make the writer retry, which Microsoft.Data.Sqlite does by sleeping 150 ms.
/// </para>
/// </remarks>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    /// <summary>Growth of the log, in frames (pages), after which it is made to start over: SQLite's own automatic checkpoint threshold.</summary>
    private const int RewindFrames = 1000;

    /// <summary>Commits that make a checkpoint run at once; fewer wait up to <see cref="Gather"/> for more.</summary>
    private const int CommitsPerCheckpoint = 32;

    /// <summary>
    /// How long a few commits wait for more before their checkpoint: each checkpoint ends in an fsync, and one per
    /// commit, when commits come one at a time, costs more than the commits themselves.
    /// </summary>
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(100);

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _writerLock;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _commits;

    /// <param name="connectionString">The database's.</param>
    /// <param name="writerLock">The lock the owner holds around each write transaction.</param>
    public WalCheckpointer(string connectionString, SemaphoreSlim writerLock)
    {
        _writerLock = writerLock;
        _connection = new SqliteConnection(connectionString);
        _connection.Open();

        // Its own thread: it blocks on file system calls, and must not wait for a busy thread pool to get one.
        _loop = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Asks for a checkpoint soon. Cheap; signals while one is pending collapse into it.</summary>
    public void Poke()
    {
        Interlocked.Increment(ref _commits);
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

    /// <summary>Stops the checkpoints (one waiting for the writer lock gives up) and leaves the log empty.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        Checkpoint("TRUNCATE");
        await _connection.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        _signal.Dispose();
    }

    private void Run()
    {
        long rewindAt = RewindFrames;
        try
        {
            while (true)
            {
                _signal.Wait(_stop.Token);
                long gathering = System.Diagnostics.Stopwatch.GetTimestamp();
                TimeSpan left;
                while (Volatile.Read(ref _commits) < CommitsPerCheckpoint && (left = Gather - System.Diagnostics.Stopwatch.GetElapsedTime(gathering)) > TimeSpan.Zero)
                {
                    _signal.Wait(left, _stop.Token);
                }

                Interlocked.Exchange(ref _commits, 0);
                long log = Checkpoint("PASSIVE");
                if (log < RewindFrames)
                {
                    rewindAt = RewindFrames;
                }
                else if (log >= rewindAt)
                {
                    _writerLock.Wait(_stop.Token);
                    try
                    {
                        Checkpoint("PASSIVE");
                    }
                    finally
                    {
                        _writerLock.Release();
                    }

                    // Readers still on old frames keep the log from starting over: try again after as much more growth.
                    rewindAt = log + RewindFrames;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    /// <returns>The frames in the log when the checkpoint ended (0 when it could not run).</returns>
    private long Checkpoint(string mode)
    {
        try
        {
            using SqliteCommand command = _connection.CreateCommand();
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

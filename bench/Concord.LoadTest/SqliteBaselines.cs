using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Concord.LoadTest;

/// <summary>What plain Microsoft.Data.Sqlite does with the same rows: the yardsticks the engine is measured against.</summary>
internal static class SqliteBaselines
{
    /// <summary>
    /// The best of three <see cref="UpsertRate"/> runs, each into a new file. The first run of a process
    /// runs cold code and a busy machine slows any one run; the best is the yardstick the engine has to
    /// be measured against, never a flattering one.
    /// </summary>
    public static double BestUpsertRate(string folder, string name, int rows, int batchSize, bool timeOrdered) =>
        Enumerable.Range(0, 3).Max(run =>
        {
            string path = Path.Combine(folder, $"{name}-{run}.db");
            try
            {
                return UpsertRate(path, rows, batchSize, timeOrdered);
            }
            finally
            {
                foreach (string file in new[] { path, path + "-wal", path + "-shm" })
                {
                    File.Delete(file);
                }
            }
        });

    /// <summary>Upserts <paramref name="rows"/> rows into a keyed table, one transaction per batch; rows per second.</summary>
    public static double UpsertRate(string path, int rows, int batchSize, bool timeOrdered)
    {
        using SqliteConnection db = Open(path);
        Execute(db, "CREATE TABLE rows(id TEXT NOT NULL PRIMARY KEY, data TEXT NOT NULL)");
        string[] ids = Enumerable.Range(0, rows).Select(_ => Workload.NewId(timeOrdered)).ToArray();
        string[] data = Enumerable.Range(0, rows).Select(Workload.RecordJson).ToArray();
        using SqliteCommand upsert = db.CreateCommand();
        upsert.CommandText = "INSERT INTO rows(id, data) VALUES ($id, $data) ON CONFLICT(id) DO UPDATE SET data = excluded.data";
        SqliteParameter id = upsert.Parameters.Add("$id", SqliteType.Text);
        SqliteParameter json = upsert.Parameters.Add("$data", SqliteType.Text);
        var watch = Stopwatch.StartNew();
        for (int start = 0; start < rows; start += batchSize)
        {
            using SqliteTransaction transaction = db.BeginTransaction();
            upsert.Transaction = transaction;
            for (int i = start; i < Math.Min(rows, start + batchSize); i++)
            {
                id.Value = ids[i];
                json.Value = data[i];
                upsert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        return rows / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Per local write: one transaction that inserts the row and an outbox entry; latencies in microseconds.</summary>
    public static double[] TwoInsertLatencies(string path, int writes)
    {
        using SqliteConnection db = Open(path);
        Execute(db, "CREATE TABLE records(collection TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY(collection, id))");
        Execute(db, "CREATE TABLE outbox(seq INTEGER PRIMARY KEY AUTOINCREMENT, op_id TEXT NOT NULL, collection TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL)");
        using SqliteCommand record = db.CreateCommand();
        record.CommandText = "INSERT INTO records(collection, id, data) VALUES ('bench', $id, $data)";
        using SqliteCommand outbox = db.CreateCommand();
        outbox.CommandText = "INSERT INTO outbox(op_id, collection, id, data) VALUES ($op, 'bench', $id, $data)";
        var latencies = new double[writes];
        for (int i = 0; i < writes; i++)
        {
            string id = Workload.NewId(timeOrdered: true);
            string data = Workload.RecordJson(i);
            long start = Stopwatch.GetTimestamp();
            using (SqliteTransaction transaction = db.BeginTransaction())
            {
                record.Transaction = transaction;
                record.Parameters.Clear();
                record.Parameters.AddWithValue("$id", id);
                record.Parameters.AddWithValue("$data", data);
                record.ExecuteNonQuery();
                outbox.Transaction = transaction;
                outbox.Parameters.Clear();
                outbox.Parameters.AddWithValue("$op", Guid.CreateVersion7().ToString("N"));
                outbox.Parameters.AddWithValue("$id", id);
                outbox.Parameters.AddWithValue("$data", data);
                outbox.ExecuteNonQuery();
                transaction.Commit();
            }

            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        return latencies;
    }

    private static SqliteConnection Open(string path)
    {
        var db = new SqliteConnection($"Data Source={path};Pooling=False");
        db.Open();
        Execute(db, "PRAGMA journal_mode=WAL");
        Execute(db, "PRAGMA synchronous=NORMAL");
        return db;
    }

    private static void Execute(SqliteConnection db, string sql)
    {
        using SqliteCommand command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

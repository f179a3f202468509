using Microsoft.Data.Sqlite;

namespace Concord.Client.Local;

/// <summary>The local database's tables, by schema version (<c>PRAGMA user_version</c>), and bringing a file up to date.</summary>
internal static class LocalSchema
{
    /// <summary>Migrations by schema version: migration n takes a file from version n to n + 1. Never edit one; add the next.</summary>
    /// <remarks>
    /// The first one's note on the outbox predates <see cref="Outbox.SyncOutbox"/> keeping each record's seqs in
    /// memory: a pulled page now reads only its own records' entries, by rowid. There is still no index, for the same reason.
    /// </remarks>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE concord_meta(
            key TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        -- base_*: the record as the server last confirmed it (NULL base_fields: never confirmed).
        -- has_local = 1: outbox entries still change it, and local_view is base + those entries (NULL: deleted).
        -- has_local = 0: the view is the base itself, stored once.
        -- base_crdt: the server's merge state of the record's CRDT fields (text fields in full).
        CREATE TABLE concord_records(
            collection TEXT NOT NULL,
            id TEXT NOT NULL,
            base_fields TEXT NULL,
            base_hlcs TEXT NULL,
            base_deleted TEXT NULL,
            base_version INTEGER NOT NULL DEFAULT 0,
            base_crdt TEXT NULL,
            has_local INTEGER NOT NULL DEFAULT 0,
            local_view TEXT NULL,
            UNIQUE(collection, id)
        );

        CREATE TABLE concord_outbox(
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            op_id TEXT NOT NULL,
            collection TEXT NOT NULL,
            id TEXT NOT NULL,
            kind TEXT NOT NULL,
            fields TEXT NULL,
            hlc TEXT NOT NULL,
            base_version INTEGER NULL,
            crdt TEXT NULL,
            bytes INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            acked_version INTEGER NULL
        );

        -- No index by record on the outbox: every local write would pay for it, while the reads that
        -- would use it (rebasing a pulled page) load the whole outbox once per page instead.

        -- Keys the server had before a resync from a fresh snapshot; what is left at the end is gone.
        CREATE TABLE concord_resync(
            collection TEXT NOT NULL,
            id TEXT NOT NULL,
            PRIMARY KEY(collection, id)
        ) WITHOUT ROWID;

        -- What the app reads: plain SQL over the materialized view.
        CREATE VIEW concord_view AS
        SELECT collection, id, CASE WHEN has_local = 1 THEN local_view ELSE base_fields END AS data, base_version AS version
        FROM concord_records
        WHERE CASE WHEN has_local = 1 THEN local_view IS NOT NULL ELSE base_deleted IS NULL AND base_fields IS NOT NULL END;
        """,

        // Nothing to convert, the maps stay valid; the new version only keeps older clients, which cannot read the
        // single reading, from opening the file.
        """
        -- base_hlcs: the per-field map of clock readings, or the one reading every field of base_fields carries.
        SELECT 1;
        """,
    ];

    /// <summary>Runs, in one transaction, the migrations the file has not had yet.</summary>
    /// <exception cref="InvalidOperationException">The file was written by a newer client.</exception>
    public static void Migrate(SqliteConnection connection)
    {
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version";
        long current = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (current > Migrations.Length)
        {
            throw new InvalidOperationException($"The local database has schema version {current}, newer than this client's {Migrations.Length}.");
        }

        for (long next = current; next < Migrations.Length; next++)
        {
            command.CommandText = Migrations[next];
            command.ExecuteNonQuery();
            command.CommandText = $"PRAGMA user_version = {next + 1}";
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}

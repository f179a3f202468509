namespace Concord.Client.Local;

/// <summary>Every statement of the client's local database. Parameters only.</summary>
internal static class LocalSql
{
    /// <summary>Migrations by schema version (<c>PRAGMA user_version</c>).</summary>
    public static readonly string[] Migrations =
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

    public const string ReadBaseCrdt = "SELECT base_crdt FROM concord_records WHERE collection = $collection AND id = $id";

    public const string ReadMeta = "SELECT value FROM concord_meta WHERE key = $key";

    public const string WriteMeta = "INSERT INTO concord_meta(key, value) VALUES ($key, $value) ON CONFLICT(key) DO UPDATE SET value = excluded.value";

    public const string DeleteMeta = "DELETE FROM concord_meta WHERE key = $key";

    public const string ReadView = "SELECT data FROM concord_view WHERE collection = $collection AND id = $id";

    /// <summary>Bound by position: collection, id, view.</summary>
    public const string WriteLocalView = """
        INSERT INTO concord_records(collection, id, has_local, local_view) VALUES (?1, ?2, 1, ?3)
        ON CONFLICT(collection, id) DO UPDATE SET has_local = 1, local_view = excluded.local_view
        """;

    /// <summary>Bound by position: op id, collection, id, kind, fields, hlc, crdt, bytes.</summary>
    public const string AppendOutbox = """
        INSERT INTO concord_outbox(op_id, collection, id, kind, fields, hlc, base_version, crdt, bytes)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6,
                (SELECT base_version FROM concord_records WHERE collection = ?2 AND id = ?3 AND base_fields IS NOT NULL), ?7, ?8)
        """;

    public const string PeekOutbox = """
        SELECT seq, op_id, kind, fields, hlc, base_version, acked_version, crdt, collection, id
        FROM concord_outbox WHERE acked_version IS NULL ORDER BY seq LIMIT $limit
        """;

    public const string CountAttempt = "UPDATE concord_outbox SET attempts = attempts + 1 WHERE seq = $seq";

    public const string AckOutbox = "UPDATE concord_outbox SET acked_version = $version WHERE seq = $seq";

    public const string DeleteOutbox = "DELETE FROM concord_outbox WHERE seq = $seq";

    public const string QueueStats = "SELECT count(*), coalesce(sum(bytes), 0) FROM concord_outbox WHERE acked_version IS NULL";

    public const string MaxOutboxHlc = "SELECT max(hlc) FROM concord_outbox";

    public const string WholeOutbox = """
        SELECT seq, op_id, kind, fields, hlc, base_version, acked_version, crdt, collection, id
        FROM concord_outbox ORDER BY seq
        """;

    public const string OutboxOfRecord = """
        SELECT seq, op_id, kind, fields, hlc, base_version, acked_version, crdt
        FROM concord_outbox WHERE collection = $collection AND id = $id ORDER BY seq
        """;

    public const string ReadBase = "SELECT base_fields, base_hlcs, base_deleted, base_version, base_crdt FROM concord_records WHERE collection = $collection AND id = $id";

    /// <summary>Bound by position: collection, id, fields, hlcs, deleted, version, has_local, local_view, base_crdt.</summary>
    public const string UpsertBase = """
        INSERT INTO concord_records(collection, id, base_fields, base_hlcs, base_deleted, base_version, has_local, local_view, base_crdt)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
        ON CONFLICT(collection, id) DO UPDATE SET
            base_fields = excluded.base_fields, base_hlcs = excluded.base_hlcs, base_deleted = excluded.base_deleted,
            base_version = excluded.base_version, has_local = excluded.has_local, local_view = excluded.local_view,
            base_crdt = excluded.base_crdt
        """;

    public const string SetLocalView = "UPDATE concord_records SET has_local = $hasLocal, local_view = $view WHERE collection = $collection AND id = $id";

    public const string DeleteRecord = "DELETE FROM concord_records WHERE collection = $collection AND id = $id";

    public const string ForgetResyncKey = "DELETE FROM concord_resync WHERE collection = $collection AND id = $id";

    public const string BeginResync = """
        DELETE FROM concord_resync;
        INSERT INTO concord_resync(collection, id) SELECT collection, id FROM concord_records WHERE base_fields IS NOT NULL;
        """;

    public const string ForgetBase = """
        UPDATE concord_records SET base_fields = NULL, base_hlcs = NULL, base_deleted = NULL, base_version = 0, base_crdt = NULL
        WHERE collection = $collection AND id = $id
        """;

    public const string ResyncLeftovers = "SELECT collection, id FROM concord_resync";

    public const string ClearResync = "DELETE FROM concord_resync";
}

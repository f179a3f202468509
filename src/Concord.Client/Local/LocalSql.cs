namespace Concord.Client.Local;

/// <summary>Every statement of the client's local database (its tables: <see cref="LocalSchema"/>). Parameters only.</summary>
internal static class LocalSql
{
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

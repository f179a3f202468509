namespace Concord.Server.Sqlite;

/// <summary>Every statement of the SQLite store. Parameters only; no text is ever spliced in.</summary>
internal static class SqliteStoreSql
{
    /// <summary>Migrations by schema version (<c>PRAGMA user_version</c>): entry i moves the schema from i to i + 1.</summary>
    public static readonly string[] Migrations =
    [
        """
        CREATE TABLE concord_meta(
            key TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE concord_tenants(
            tenant TEXT NOT NULL PRIMARY KEY,
            version INTEGER NOT NULL,
            records INTEGER NOT NULL,
            ops INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- fields is UTF-8 JSON kept as BLOB: the server never queries inside it, and binding bytes
        -- saves a UTF-16 round trip per write and per read. Field clocks are stored compactly
        -- (see StoredClocks): hlc is the reading most fields share, hlc_overrides the others.
        CREATE TABLE concord_records(
            tenant TEXT NOT NULL,
            collection TEXT NOT NULL,
            id TEXT NOT NULL,
            version INTEGER NOT NULL,
            fields BLOB NOT NULL,
            hlc TEXT NOT NULL,
            field_version INTEGER NOT NULL,
            hlc_overrides BLOB NULL,
            tombstone TEXT NULL,
            watermark TEXT NULL,
            deleted INTEGER NOT NULL,
            crdt BLOB NULL,
            UNIQUE(tenant, collection, id)
        );

        CREATE UNIQUE INDEX concord_records_by_version ON concord_records(tenant, version);

        CREATE TABLE concord_ops(
            tenant TEXT NOT NULL,
            op_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            applied_at INTEGER NOT NULL,
            PRIMARY KEY(tenant, op_id)
        ) WITHOUT ROWID;

        -- Recent updates of text fields, so that a pull can send what changed since its cursor
        -- instead of the whole document. Compacted to the newest entries per field.
        CREATE TABLE concord_text_log(
            tenant TEXT NOT NULL,
            collection TEXT NOT NULL,
            id TEXT NOT NULL,
            field TEXT NOT NULL,
            version INTEGER NOT NULL,
            update_bytes BLOB NOT NULL,
            PRIMARY KEY(tenant, collection, id, field, version)
        ) WITHOUT ROWID;
        """,
    ];

    public const string ReadEpoch = "SELECT value FROM concord_meta WHERE key = 'epoch'";

    public const string WriteEpoch = "INSERT INTO concord_meta(key, value) VALUES ('epoch', $epoch)";

    public const string ReadTenant = "SELECT version, records, ops FROM concord_tenants WHERE tenant = $tenant";

    public const string CountTenants = "SELECT count(*) FROM concord_tenants";

    public const string WriteTenant = """
        INSERT INTO concord_tenants(tenant, version, records, ops) VALUES ($tenant, $version, $records, $ops)
        ON CONFLICT(tenant) DO UPDATE SET version = excluded.version, records = excluded.records, ops = excluded.ops
        """;

    /// <summary>CROSS JOIN keeps json_each as the outer loop so that every op id is one index probe.</summary>
    public const string FindOps = """
        SELECT j.value, o.version
        FROM json_each($opIds) AS j CROSS JOIN concord_ops AS o
        WHERE o.tenant = $tenant AND o.op_id = j.value
        """;

    public const string FindRecords = """
        SELECT r.collection, r.id, r.version, r.fields, r.hlc, r.hlc_overrides, r.tombstone, r.watermark, r.field_version, r.crdt
        FROM json_each($keys) AS j CROSS JOIN concord_records AS r
        WHERE r.tenant = $tenant AND r.collection = j.value ->> 0 AND r.id = j.value ->> 1
        """;

    /// <summary>Bound by position: tenant, collection, id, version, fields, hlc, hlc_overrides, tombstone, watermark, deleted, field_version, crdt.</summary>
    public const string UpsertRecord = """
        INSERT INTO concord_records(tenant, collection, id, version, fields, hlc, hlc_overrides, tombstone, watermark, deleted, field_version, crdt)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
        ON CONFLICT(tenant, collection, id) DO UPDATE SET
            version = excluded.version, fields = excluded.fields, hlc = excluded.hlc, hlc_overrides = excluded.hlc_overrides,
            tombstone = excluded.tombstone, watermark = excluded.watermark, deleted = excluded.deleted,
            field_version = excluded.field_version, crdt = excluded.crdt
        """;

    public const string InsertOp = "INSERT INTO concord_ops(tenant, op_id, version, applied_at) VALUES (?1, ?2, ?3, ?4)";

    /// <summary>Bound by position: tenant, collection, id, field, version, update.</summary>
    public const string AppendTextLog = "INSERT OR IGNORE INTO concord_text_log(tenant, collection, id, field, version, update_bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

    /// <summary>Bound by position: tenant, collection, id. A put or a delete starts the record's text over.</summary>
    public const string ClearTextLog = "DELETE FROM concord_text_log WHERE tenant = ?1 AND collection = ?2 AND id = ?3";

    /// <summary>Bound by position: tenant, collection, id, field, entries kept.</summary>
    public const string CompactTextLog = """
        DELETE FROM concord_text_log
        WHERE tenant = ?1 AND collection = ?2 AND id = ?3 AND field = ?4 AND version <= (
            SELECT version FROM concord_text_log
            WHERE tenant = ?1 AND collection = ?2 AND id = ?3 AND field = ?4
            ORDER BY version DESC LIMIT 1 OFFSET ?5)
        """;

    public const string ReadTextLog = """
        SELECT version, update_bytes FROM concord_text_log
        WHERE tenant = $tenant AND collection = $collection AND id = $id AND field = $field
        ORDER BY version
        """;

    public const string ReadPage = """
        SELECT collection, id, version, fields, hlc, hlc_overrides, CASE WHEN deleted THEN tombstone END, watermark, crdt
        FROM concord_records
        WHERE tenant = $tenant AND version > $after
        ORDER BY version
        LIMIT $limit
        """;

    public const string ReadPageOfCollections = """
        SELECT collection, id, version, fields, hlc, hlc_overrides, CASE WHEN deleted THEN tombstone END, watermark, crdt
        FROM concord_records
        WHERE tenant = $tenant AND version > $after AND collection IN (SELECT value FROM json_each($collections))
        ORDER BY version
        LIMIT $limit
        """;
}

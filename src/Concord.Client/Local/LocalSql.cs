namespace Concord.Client.Local;

/// <summary>The statements of the records, their view and the meta table (see <see cref="LocalSchema"/>). Parameters only.</summary>
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

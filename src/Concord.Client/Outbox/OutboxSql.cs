namespace Concord.Client.Outbox;

/// <summary>The statements of the outbox table (see <see cref="Local.LocalSchema"/>). Parameters only.</summary>
internal static class OutboxSql
{
    /// <summary>Bound by position: op id, collection, id, kind, fields, hlc, crdt, bytes.</summary>
    public const string Append = """
        INSERT INTO concord_outbox(op_id, collection, id, kind, fields, hlc, base_version, crdt, bytes)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6,
                (SELECT base_version FROM concord_records WHERE collection = ?2 AND id = ?3 AND base_fields IS NOT NULL), ?7, ?8)
        """;

    public const string Peek = """
        SELECT seq, op_id, kind, fields, hlc, base_version, acked_version, crdt, collection, id
        FROM concord_outbox WHERE acked_version IS NULL ORDER BY seq LIMIT $limit
        """;

    public const string CountAttempt = "UPDATE concord_outbox SET attempts = attempts + 1 WHERE seq = $seq";

    public const string Ack = "UPDATE concord_outbox SET acked_version = $version WHERE seq = $seq";

    public const string Delete = "DELETE FROM concord_outbox WHERE seq = $seq";

    public const string QueueStats = "SELECT count(*), coalesce(sum(bytes), 0) FROM concord_outbox WHERE acked_version IS NULL";

    public const string MaxHlc = "SELECT max(hlc) FROM concord_outbox";

    /// <summary>The entries whose seq is in <c>$seqs</c>, a JSON array, oldest first: lookups by rowid only.</summary>
    public const string BySeq = """
        SELECT seq, op_id, kind, fields, hlc, base_version, acked_version, crdt, collection, id
        FROM concord_outbox WHERE seq IN (SELECT value FROM json_each($seqs)) ORDER BY seq
        """;

    public const string Records = "SELECT seq, collection, id FROM concord_outbox ORDER BY seq";
}

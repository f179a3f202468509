using Concord.Client.Local;

namespace Concord.Client.LiveQueries;

/// <summary>What a live query reads: a SQL query over one collection's view, or one record of it.</summary>
internal sealed class LiveSource
{
    private readonly string _collection;
    private readonly string? _id;
    private readonly string? _sql;
    private readonly IReadOnlyList<KeyValuePair<string, object>> _parameters;

    private LiveSource(string collection, string? id, string? sql, IReadOnlyList<KeyValuePair<string, object>> parameters)
    {
        _collection = collection;
        _id = id;
        _sql = sql;
        _parameters = parameters;
    }

    public static LiveSource Query(string collection, string sql, IReadOnlyList<KeyValuePair<string, object>> parameters) => new(collection, null, sql, parameters);

    public static LiveSource Record(string collection, string id) => new(collection, id, null, []);

    /// <summary>Whether a commit that changed <paramref name="changes"/> can have changed the result.</summary>
    public bool IsAffectedBy(ViewChanges changes) => _id is null ? changes.Collections.Contains(_collection) : changes.Contains(_collection, _id);

    /// <summary>The rows (id and JSON data) of the result, as the view is now.</summary>
    public List<(string Id, string Data)> Read(ViewReader reader)
    {
        if (_sql is not null)
        {
            return reader.Query(_sql, _parameters);
        }

        return reader.Read(_collection, _id!) is { } data ? [(_id!, data)] : [];
    }
}

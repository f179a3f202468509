using System.Text;
using System.Text.Json;
using Concord.Client.LiveQueries;

namespace Concord.Client.Collections;

/// <summary>
/// A simple query over one collection's view: filters on fields, an order, a limit. It runs as plain
/// SQL over <c>concord_view</c> with every value and field path passed as a parameter.
/// </summary>
/// <example><code>
/// var firstTen = await todos.Query().Where("done", "=", false).OrderBy("createdAt", descending: true).Take(10).ToListAsync();
/// </code></example>
public sealed class CollectionQuery<T>
{
    private static readonly string[] Operators = ["=", "!=", "<", "<=", ">", ">="];

    private readonly ConcordClient _client;
    private readonly string _collection;
    private readonly JsonSerializerOptions _json;
    private readonly List<(string Field, string Op, object? Value)> _filters = [];
    private readonly List<(string Field, bool Descending)> _order = [];
    private int? _limit;

    internal CollectionQuery(ConcordClient client, string collection, JsonSerializerOptions json)
    {
        _client = client;
        _collection = collection;
        _json = json;
    }

    /// <summary>Keeps records whose <paramref name="field"/> compares to <paramref name="value"/> by <paramref name="op"/> (<c>= != &lt; &lt;= &gt; &gt;=</c>).</summary>
    /// <exception cref="ArgumentException">Unknown operator, unusable field name, or a value that is not a string, number, bool or null.</exception>
    public CollectionQuery<T> Where(string field, string op, object? value)
    {
        CheckField(field);
        if (!Operators.Contains(op))
        {
            throw new ArgumentException($"Operator must be one of {string.Join(' ', Operators)}.", nameof(op));
        }

        if (value is null && op is not ("=" or "!="))
        {
            throw new ArgumentException("null compares only with = and !=.", nameof(value));
        }

        if (value is not (null or string or bool or int or long or double or float or decimal))
        {
            throw new ArgumentException("Values are strings, numbers, booleans or null.", nameof(value));
        }

        _filters.Add((field, op, value));
        return this;
    }

    /// <summary>Orders by a field; ties fall back to the record id.</summary>
    public CollectionQuery<T> OrderBy(string field, bool descending = false)
    {
        CheckField(field);
        _order.Add((field, descending));
        return this;
    }

    /// <summary>Keeps at most <paramref name="count"/> records.</summary>
    public CollectionQuery<T> Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _limit = count;
        return this;
    }

    /// <summary>Runs the query.</summary>
    public async Task<IReadOnlyList<T>> ToListAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<KeyValuePair<string, T>> entries = await ToEntriesAsync(cancellationToken).ConfigureAwait(false);
        return entries.Select(e => e.Value).ToArray();
    }

    /// <summary>Runs the query and returns each record with its id.</summary>
    public async Task<IReadOnlyList<KeyValuePair<string, T>>> ToEntriesAsync(CancellationToken cancellationToken = default)
    {
        (string sql, List<KeyValuePair<string, object>> parameters) = Build("id, data");
        List<(string Id, string Data)> rows = await _client.QueryAsync(sql, parameters, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => new KeyValuePair<string, T>(r.Id, JsonSerializer.Deserialize<T>(r.Data, _json)!)).ToArray();
    }

    /// <summary>
    /// The query as a live query: its rows at once, and again after every commit that changes them. The query is
    /// fixed as it is now; filters added later do not change it.
    /// </summary>
    /// <example><code>
    /// await foreach (IReadOnlyList&lt;Todo&gt; open in todos.Query().Where("done", "=", false).Live().WithCancellation(token)) { Render(open); }
    /// </code></example>
    public LiveQuery<IReadOnlyList<T>> Live()
    {
        (string sql, List<KeyValuePair<string, object>> parameters) = Build("id, data");
        return _client.Live<IReadOnlyList<T>>(LiveSource.Query(_collection, sql, parameters), rows => rows.Select(r => JsonSerializer.Deserialize<T>(r.Data, _json)!).ToArray());
    }

    /// <summary>Calls <paramref name="onRows"/> with the query's rows at once, and again whenever a commit changes them, until disposed.</summary>
    /// <example><code>
    /// using IDisposable live = todos.Query().Where("done", "=", false).Subscribe(open => Console.WriteLine(open.Count));
    /// </code></example>
    public IDisposable Subscribe(Action<IReadOnlyList<T>> onRows) => Live().Subscribe(onRows);

    /// <summary>The query's rows at once, then again whenever a commit changes them, as an observable.</summary>
    public IObservable<IReadOnlyList<T>> AsObservable() => Live();

    /// <summary>The query's rows at once, then again whenever a commit changes them; a slow consumer gets the newest.</summary>
    public IAsyncEnumerable<IReadOnlyList<T>> WatchAsync() => Live();

    /// <summary>Counts the matching records.</summary>
    public Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        (string sql, List<KeyValuePair<string, object>> parameters) = Build("count(*)");
        return _client.CountAsync(sql, parameters, cancellationToken);
    }

    private (string Sql, List<KeyValuePair<string, object>> Parameters) Build(string select)
    {
        var sql = new StringBuilder($"SELECT {select} FROM concord_view WHERE collection = $collection");
        var parameters = new List<KeyValuePair<string, object>> { new("$collection", _collection) };
        for (int i = 0; i < _filters.Count; i++)
        {
            (string field, string op, object? value) = _filters[i];
            parameters.Add(new($"$f{i}", Path(field)));
            if (value is null)
            {
                sql.Append($" AND json_extract(data, $f{i}) IS {(op == "=" ? string.Empty : "NOT ")}NULL");
                continue;
            }

            sql.Append($" AND json_extract(data, $f{i}) {op} $v{i}");
            parameters.Add(new($"$v{i}", value is bool b ? (b ? 1 : 0) : value));
        }

        if (select != "count(*)")
        {
            sql.Append(" ORDER BY ");
            for (int i = 0; i < _order.Count; i++)
            {
                parameters.Add(new($"$o{i}", Path(_order[i].Field)));
                sql.Append($"json_extract(data, $o{i}){(_order[i].Descending ? " DESC" : string.Empty)}, ");
            }

            sql.Append("id");
            if (_limit is { } limit)
            {
                sql.Append(" LIMIT $limit");
                parameters.Add(new("$limit", limit));
            }
        }

        return (sql.ToString(), parameters);
    }

    private static string Path(string field) => $"$.\"{field}\"";

    private static void CheckField(string field)
    {
        if (string.IsNullOrEmpty(field) || field.Length > 128 || field.Any(c => c is '"' or '\\' || char.IsControl(c)))
        {
            throw new ArgumentException("Query field names are 1-128 characters without quotes, backslashes or control characters.", nameof(field));
        }
    }
}

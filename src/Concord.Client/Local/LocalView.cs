using Microsoft.Data.Sqlite;

namespace Concord.Client.Local;

/// <summary>
/// What the app reads: <c>concord_view</c>, each record's base with its pending changes merged over it,
/// kept materialized so that reads and queries are plain SQL.
/// </summary>
internal sealed class LocalView(LocalDatabase database)
{
    /// <summary>A record's JSON data, or null when it is absent or deleted.</summary>
    public string? Read(string collection, string id, SqliteTransaction transaction)
    {
        SqliteCommand command = database.Command(LocalSql.ReadView, transaction);
        command.Parameters.AddWithValue("$collection", collection);
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteScalar() as string;
    }

    /// <summary>Runs a query over <c>concord_view</c> that selects an id and JSON data, and returns its rows.</summary>
    public List<(string Id, string Data)> Query(string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, SqliteTransaction transaction)
    {
        var rows = new List<(string, string)>();
        using SqliteDataReader reader = Command(sql, parameters, transaction).ExecuteReader();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }

        return rows;
    }

    /// <summary>Runs a query over <c>concord_view</c> that selects one number.</summary>
    public long Count(string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, SqliteTransaction transaction) =>
        Convert.ToInt64(Command(sql, parameters, transaction).ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);

    private SqliteCommand Command(string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, SqliteTransaction transaction)
    {
        SqliteCommand command = database.Command(sql, transaction);
        foreach ((string name, object value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}

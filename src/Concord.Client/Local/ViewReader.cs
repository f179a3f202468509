using Microsoft.Data.Sqlite;

namespace Concord.Client.Local;

/// <summary>
/// Reads the view as a commit left it, inside <see cref="LocalStore.ViewChanged"/> only: it holds the transaction
/// of that moment, which ends when the handler returns.
/// </summary>
internal readonly struct ViewReader(LocalView view, SqliteTransaction transaction)
{
    /// <summary>A record's JSON data, or null when it is absent or deleted.</summary>
    public string? Read(string collection, string id) => view.Read(collection, id, transaction);

    /// <summary>Runs a query over <c>concord_view</c> that selects an id and JSON data.</summary>
    public List<(string Id, string Data)> Query(string sql, IReadOnlyList<KeyValuePair<string, object>> parameters) => view.Query(sql, parameters, transaction);
}

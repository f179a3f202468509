using Concord.Server.Workspaces;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Concord.Server.Sqlite;

/// <summary>
/// Workspaces and members in the same SQLite file as the records, in tables of their own. Each change is one
/// <c>BEGIN IMMEDIATE</c> transaction, so the owner count a change checks cannot move under it. Lookups, which every
/// request makes, are answered from memory once read: the file belongs to one server process, every change goes
/// through this instance, and each one empties what was remembered.
/// </summary>
/// <example><code>
/// var workspaces = new SqliteWorkspaceStore(Options.Create(new SqliteStoreOptions { Path = "concord.db" }));
/// await workspaces.InitializeAsync();
/// await workspaces.CreateAsync(new Workspace("ws_1", "Team", IsDefault: false), "alice");
/// </code></example>
public sealed class SqliteWorkspaceStore : IWorkspaceStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS concord_workspaces(
            id TEXT NOT NULL PRIMARY KEY,
            name TEXT NOT NULL,
            is_default INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS concord_workspace_members(
            workspace_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            role INTEGER NOT NULL,
            PRIMARY KEY(workspace_id, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS concord_workspace_members_by_user ON concord_workspace_members(user_id, workspace_id);
        """;

    /// <summary>Past this many remembered lookups the memory starts over, whatever ids callers try.</summary>
    private const int MaxRemembered = 100_000;

    private readonly string _connectionString;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Workspace, string User), WorkspaceRole?> _roles = [];
    private readonly Dictionary<string, Workspace?> _workspaces = new(StringComparer.Ordinal);

    // Bumped by every change, so that a lookup that read the file before the change does not remember what it read.
    private long _generation;

    /// <summary>Creates a store over the file named in <paramref name="options"/>; nothing is opened until <see cref="InitializeAsync"/>.</summary>
    public SqliteWorkspaceStore(IOptions<SqliteStoreOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(options.Value.Path),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync(CancellationToken cancellationToken = default)
    {
        string? folder = Path.GetDirectoryName(new SqliteConnectionStringBuilder(_connectionString).DataSource);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        await using SqliteConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;" + Schema;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> CreateAsync(Workspace workspace, string ownerUserId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentException.ThrowIfNullOrEmpty(ownerUserId);
        await using SqliteConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        int created = await ExecuteAsync(
            connection,
            "INSERT INTO concord_workspaces(id, name, is_default) VALUES($id, $name, $default) ON CONFLICT(id) DO NOTHING",
            cancellationToken,
            ("$id", workspace.Id),
            ("$name", workspace.Name),
            ("$default", workspace.IsDefault ? 1 : 0)).ConfigureAwait(false);
        if (created == 0)
        {
            return false;
        }

        await ExecuteAsync(
            connection,
            "INSERT INTO concord_workspace_members(workspace_id, user_id, role) VALUES($id, $user, $role)",
            cancellationToken,
            ("$id", workspace.Id),
            ("$user", ownerUserId),
            ("$role", (int)WorkspaceRole.Owner)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Forget();
        return true;
    }

    /// <inheritdoc />
    public async ValueTask<Workspace?> FindAsync(string workspaceId, CancellationToken cancellationToken = default)
    {
        long generation;
        lock (_gate)
        {
            if (_workspaces.TryGetValue(workspaceId, out Workspace? known))
            {
                return known;
            }

            generation = _generation;
        }

        Workspace? found;
        await using (SqliteConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false))
        await using (SqliteCommand command = Command(connection, "SELECT id, name, is_default FROM concord_workspaces WHERE id = $id AND deleted = 0", ("$id", workspaceId)))
        await using (SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            found = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadWorkspace(reader) : null;
        }

        Remember(_workspaces, workspaceId, found, generation);
        return found;
    }

    /// <inheritdoc />
    public async ValueTask<WorkspaceRole?> FindRoleAsync(string workspaceId, string userId, CancellationToken cancellationToken = default)
    {
        long generation;
        lock (_gate)
        {
            if (_roles.TryGetValue((workspaceId, userId), out WorkspaceRole? known))
            {
                return known;
            }

            generation = _generation;
        }

        WorkspaceRole? role;
        await using (SqliteConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false))
        await using (SqliteCommand command = Command(connection, "SELECT role FROM concord_workspace_members WHERE workspace_id = $id AND user_id = $user", ("$id", workspaceId), ("$user", userId)))
        {
            role = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long stored ? (WorkspaceRole)stored : null;
        }

        Remember(_roles, (workspaceId, userId), role, generation);
        return role;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<WorkspaceMembership>> ListForUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using SqliteConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using SqliteCommand command = Command(
            connection,
            """
            SELECT w.id, w.name, w.is_default, m.role FROM concord_workspace_members m
            JOIN concord_workspaces w ON w.id = m.workspace_id
            WHERE m.user_id = $user AND w.deleted = 0 ORDER BY w.id
            """,
            ("$user", userId));
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<WorkspaceMembership>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new WorkspaceMembership(ReadWorkspace(reader), (WorkspaceRole)reader.GetInt64(3)));
        }

        return list;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<WorkspaceMember>> ListMembersAsync(string workspaceId, CancellationToken cancellationToken = default)
    {
        await using SqliteConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using SqliteCommand command = Command(connection, "SELECT user_id, role FROM concord_workspace_members WHERE workspace_id = $id ORDER BY user_id", ("$id", workspaceId));
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<WorkspaceMember>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new WorkspaceMember(reader.GetString(0), (WorkspaceRole)reader.GetInt64(1)));
        }

        return list;
    }

    /// <inheritdoc />
    public async ValueTask<bool> RenameAsync(string workspaceId, string name, CancellationToken cancellationToken = default)
    {
        await using SqliteConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        bool renamed = await ExecuteAsync(connection, "UPDATE concord_workspaces SET name = $name WHERE id = $id AND deleted = 0", cancellationToken, ("$id", workspaceId), ("$name", name)).ConfigureAwait(false) == 1;
        Forget();
        return renamed;
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(string workspaceId, CancellationToken cancellationToken = default)
    {
        await using SqliteConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await ExecuteAsync(connection, "UPDATE concord_workspaces SET deleted = 1 WHERE id = $id AND deleted = 0", cancellationToken, ("$id", workspaceId)).ConfigureAwait(false) == 0)
        {
            return false;
        }

        await ExecuteAsync(connection, "DELETE FROM concord_workspace_members WHERE workspace_id = $id", cancellationToken, ("$id", workspaceId)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Forget();
        return true;
    }

    /// <inheritdoc />
    public async ValueTask<MembershipUpdate> SetRoleAsync(string workspaceId, string userId, WorkspaceRole role, CancellationToken cancellationToken = default)
    {
        await using SqliteConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        MembershipUpdate check = await CheckAsync(connection, workspaceId, userId, demotes: role != WorkspaceRole.Owner, mustBeMember: false, cancellationToken).ConfigureAwait(false);
        if (check != MembershipUpdate.Done)
        {
            return check;
        }

        await ExecuteAsync(
            connection,
            "INSERT INTO concord_workspace_members(workspace_id, user_id, role) VALUES($id, $user, $role) ON CONFLICT(workspace_id, user_id) DO UPDATE SET role = excluded.role",
            cancellationToken,
            ("$id", workspaceId),
            ("$user", userId),
            ("$role", (int)role)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Forget();
        return MembershipUpdate.Done;
    }

    /// <inheritdoc />
    public async ValueTask<MembershipUpdate> RemoveMemberAsync(string workspaceId, string userId, CancellationToken cancellationToken = default)
    {
        await using SqliteConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        MembershipUpdate check = await CheckAsync(connection, workspaceId, userId, demotes: true, mustBeMember: true, cancellationToken).ConfigureAwait(false);
        if (check != MembershipUpdate.Done)
        {
            return check;
        }

        await ExecuteAsync(connection, "DELETE FROM concord_workspace_members WHERE workspace_id = $id AND user_id = $user", cancellationToken, ("$id", workspaceId), ("$user", userId)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Forget();
        return MembershipUpdate.Done;
    }

    /// <summary>Whether the change may go on: the workspace exists, and an owner leaving or stepping down is not the last.</summary>
    private static async ValueTask<MembershipUpdate> CheckAsync(SqliteConnection connection, string workspaceId, string userId, bool demotes, bool mustBeMember, CancellationToken cancellationToken)
    {
        await using SqliteCommand command = Command(
            connection,
            """
            SELECT
                (SELECT count(*) FROM concord_workspaces WHERE id = $id AND deleted = 0),
                (SELECT role FROM concord_workspace_members WHERE workspace_id = $id AND user_id = $user),
                (SELECT count(*) FROM concord_workspace_members WHERE workspace_id = $id AND role = $owner)
            """,
            ("$id", workspaceId),
            ("$user", userId),
            ("$owner", (int)WorkspaceRole.Owner));
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        long? current = reader.IsDBNull(1) ? null : reader.GetInt64(1);
        if (reader.GetInt64(0) == 0 || (mustBeMember && current is null))
        {
            return MembershipUpdate.NotFound;
        }

        return demotes && current == (long)WorkspaceRole.Owner && reader.GetInt64(2) == 1 ? MembershipUpdate.LastOwner : MembershipUpdate.Done;
    }

    private void Remember<TKey, TValue>(Dictionary<TKey, TValue> memory, TKey key, TValue value, long generation)
        where TKey : notnull
    {
        lock (_gate)
        {
            if (generation != _generation)
            {
                return;
            }

            if (memory.Count >= MaxRemembered)
            {
                memory.Clear();
            }

            memory[key] = value;
        }
    }

    private void Forget()
    {
        lock (_gate)
        {
            _generation++;
            _roles.Clear();
            _workspaces.Clear();
        }
    }

    private static Workspace ReadWorkspace(SqliteDataReader reader) => new(reader.GetString(0), reader.GetString(1), reader.GetInt64(2) != 0);

    private async ValueTask<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        foreach ((string name, object value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private static async ValueTask<int> ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using SqliteCommand command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

namespace Concord.Server.Workspaces;

/// <summary>
/// Workspaces kept in the process: the default when the sync store brings no workspace store of its own, and for
/// tests. Everything is lost when the process ends.
/// </summary>
/// <example><code>builder.Services.AddSingleton&lt;IWorkspaceStore, InMemoryWorkspaceStore&gt;();</code></example>
public sealed class InMemoryWorkspaceStore : IWorkspaceStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _workspaces = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deleted = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask InitializeAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask<bool> CreateAsync(Workspace workspace, string ownerUserId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentException.ThrowIfNullOrEmpty(ownerUserId);
        lock (_gate)
        {
            if (_deleted.Contains(workspace.Id) || !_workspaces.TryAdd(workspace.Id, new Entry(workspace)))
            {
                return ValueTask.FromResult(false);
            }

            _workspaces[workspace.Id].Members[ownerUserId] = WorkspaceRole.Owner;
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<Workspace?> FindAsync(string workspaceId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_workspaces.TryGetValue(workspaceId, out Entry? entry) ? entry.Workspace : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<WorkspaceRole?> FindRoleAsync(string workspaceId, string userId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_workspaces.TryGetValue(workspaceId, out Entry? entry) && entry.Members.TryGetValue(userId, out WorkspaceRole role) ? role : (WorkspaceRole?)null);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<WorkspaceMembership>> ListForUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<WorkspaceMembership> list = _workspaces.Values
                .Where(e => e.Members.ContainsKey(userId))
                .OrderBy(e => e.Workspace.Id, StringComparer.Ordinal)
                .Select(e => new WorkspaceMembership(e.Workspace, e.Members[userId]))
                .ToArray();
            return ValueTask.FromResult(list);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<WorkspaceMember>> ListMembersAsync(string workspaceId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<WorkspaceMember> list = _workspaces.TryGetValue(workspaceId, out Entry? entry)
                ? entry.Members.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => new WorkspaceMember(m.Key, m.Value)).ToArray()
                : [];
            return ValueTask.FromResult(list);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RenameAsync(string workspaceId, string name, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_workspaces.TryGetValue(workspaceId, out Entry? entry))
            {
                return ValueTask.FromResult(false);
            }

            entry.Workspace = entry.Workspace with { Name = name };
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string workspaceId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            bool removed = _workspaces.Remove(workspaceId);
            if (removed)
            {
                _deleted.Add(workspaceId);
            }

            return ValueTask.FromResult(removed);
        }
    }

    /// <inheritdoc />
    public ValueTask<MembershipUpdate> SetRoleAsync(string workspaceId, string userId, WorkspaceRole role, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_workspaces.TryGetValue(workspaceId, out Entry? entry))
            {
                return ValueTask.FromResult(MembershipUpdate.NotFound);
            }

            if (role != WorkspaceRole.Owner && entry.IsLastOwner(userId))
            {
                return ValueTask.FromResult(MembershipUpdate.LastOwner);
            }

            entry.Members[userId] = role;
            return ValueTask.FromResult(MembershipUpdate.Done);
        }
    }

    /// <inheritdoc />
    public ValueTask<MembershipUpdate> RemoveMemberAsync(string workspaceId, string userId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_workspaces.TryGetValue(workspaceId, out Entry? entry) || !entry.Members.ContainsKey(userId))
            {
                return ValueTask.FromResult(MembershipUpdate.NotFound);
            }

            if (entry.IsLastOwner(userId))
            {
                return ValueTask.FromResult(MembershipUpdate.LastOwner);
            }

            entry.Members.Remove(userId);
            return ValueTask.FromResult(MembershipUpdate.Done);
        }
    }

    private sealed class Entry(Workspace workspace)
    {
        public Workspace Workspace { get; set; } = workspace;

        public Dictionary<string, WorkspaceRole> Members { get; } = new(StringComparer.Ordinal);

        public bool IsLastOwner(string userId) =>
            Members.TryGetValue(userId, out WorkspaceRole current) && current == WorkspaceRole.Owner && Members.Values.Count(r => r == WorkspaceRole.Owner) == 1;
    }
}

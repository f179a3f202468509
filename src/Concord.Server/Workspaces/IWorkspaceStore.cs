namespace Concord.Server.Workspaces;

/// <summary>
/// Where a server keeps workspaces and their members. Separate from <see cref="Storage.ISyncStore"/>: records and
/// memberships change for different reasons, and a deployment may keep them in different places. Every
/// implementation passes the same conformance suite.
/// </summary>
/// <remarks>
/// A store must: keep ids unique, and never hand out the id of a deleted workspace again (its records remain in the
/// sync store); apply each membership change atomically, refusing any that would leave a workspace without an owner.
/// </remarks>
public interface IWorkspaceStore
{
    /// <summary>Creates or migrates the store. Called once before anything else.</summary>
    ValueTask InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates a workspace with <paramref name="ownerUserId"/> as its only member and owner.</summary>
    /// <returns>False when the id is taken (or was, by a deleted workspace).</returns>
    ValueTask<bool> CreateAsync(Workspace workspace, string ownerUserId, CancellationToken cancellationToken = default);

    /// <summary>The workspace, or null when there is none (or it was deleted).</summary>
    ValueTask<Workspace?> FindAsync(string workspaceId, CancellationToken cancellationToken = default);

    /// <summary>The user's role in the workspace, or null when they are not a member (or it does not exist).</summary>
    ValueTask<WorkspaceRole?> FindRoleAsync(string workspaceId, string userId, CancellationToken cancellationToken = default);

    /// <summary>The workspaces the user is a member of, by id.</summary>
    ValueTask<IReadOnlyList<WorkspaceMembership>> ListForUserAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>The workspace's members, by user id.</summary>
    ValueTask<IReadOnlyList<WorkspaceMember>> ListMembersAsync(string workspaceId, CancellationToken cancellationToken = default);

    /// <summary>Renames a workspace. False when there is none.</summary>
    ValueTask<bool> RenameAsync(string workspaceId, string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes a workspace and its memberships; its id stays taken. False when there is none.</summary>
    ValueTask<bool> DeleteAsync(string workspaceId, CancellationToken cancellationToken = default);

    /// <summary>Adds a member, or changes a member's role; refuses to demote the last owner.</summary>
    ValueTask<MembershipUpdate> SetRoleAsync(string workspaceId, string userId, WorkspaceRole role, CancellationToken cancellationToken = default);

    /// <summary>Removes a member; refuses to remove the last owner.</summary>
    ValueTask<MembershipUpdate> RemoveMemberAsync(string workspaceId, string userId, CancellationToken cancellationToken = default);
}

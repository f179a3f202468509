namespace Concord.Server.Workspaces;

/// <summary>A workspace as one of its members sees it.</summary>
/// <param name="Workspace">The workspace.</param>
/// <param name="Role">The member's role in it.</param>
public sealed record WorkspaceMembership(Workspace Workspace, WorkspaceRole Role);

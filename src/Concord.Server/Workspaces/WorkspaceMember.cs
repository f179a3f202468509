namespace Concord.Server.Workspaces;

/// <summary>A user's membership of a workspace.</summary>
/// <param name="UserId">The user.</param>
/// <param name="Role">What they may do there.</param>
public sealed record WorkspaceMember(string UserId, WorkspaceRole Role);

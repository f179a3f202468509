namespace Concord.Server.Workspaces;

/// <summary>A workspace: a tenant whose members the server keeps.</summary>
/// <param name="Id">Its id, which is the tenant's: <c>user:{sub}</c> for a user's default workspace, generated otherwise.</param>
/// <param name="Name">Its display name.</param>
/// <param name="IsDefault">Whether it is a user's default workspace (which cannot be deleted).</param>
public sealed record Workspace(string Id, string Name, bool IsDefault);

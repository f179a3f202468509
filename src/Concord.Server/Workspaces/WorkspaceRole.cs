namespace Concord.Server.Workspaces;

/// <summary>What a member may do in a workspace; each role may do everything the ones below it may.</summary>
public enum WorkspaceRole
{
    /// <summary>Reads the workspace's records.</summary>
    Viewer = 1,

    /// <summary>Reads and writes the workspace's records.</summary>
    Editor = 2,

    /// <summary>Also renames and deletes the workspace and manages its members.</summary>
    Owner = 3,
}

namespace Concord.Server.Workspaces;

/// <summary>What became of a change to a workspace's members.</summary>
public enum MembershipUpdate
{
    /// <summary>Done.</summary>
    Done,

    /// <summary>No such workspace, or no such member to remove.</summary>
    NotFound,

    /// <summary>Refused: the workspace would be left without an owner.</summary>
    LastOwner,
}

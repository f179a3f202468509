using System.Diagnostics.CodeAnalysis;

namespace Concord.Server.Workspaces;

/// <summary>The wire names of <see cref="WorkspaceRole"/>: <c>owner</c>, <c>editor</c>, <c>viewer</c>.</summary>
public static class WorkspaceRoles
{
    /// <summary>The role's wire name.</summary>
    public static string Format(WorkspaceRole role) => role switch
    {
        WorkspaceRole.Owner => "owner",
        WorkspaceRole.Editor => "editor",
        WorkspaceRole.Viewer => "viewer",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    /// <summary>Reads a wire name, exactly as written.</summary>
    public static bool TryParse(string? name, [NotNullWhen(true)] out WorkspaceRole? role)
    {
        role = name switch
        {
            "owner" => WorkspaceRole.Owner,
            "editor" => WorkspaceRole.Editor,
            "viewer" => WorkspaceRole.Viewer,
            _ => null,
        };
        return role is not null;
    }
}

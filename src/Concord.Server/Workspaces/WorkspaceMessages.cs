using System.Text.Json.Serialization;

namespace Concord.Server.Workspaces;

/// <summary>The body of <c>POST /api/workspaces</c>, and of <c>PATCH /api/workspaces/{id}</c> (a rename).</summary>
internal sealed class WorkspaceRequest
{
    [JsonRequired]
    public string Name { get; set; } = null!;
}

/// <summary>The body of <c>POST …/members</c> (with <see cref="UserId"/>) and <c>PUT</c>/<c>PATCH …/members/{userId}</c>.</summary>
internal sealed class MemberRequest
{
    public string? UserId { get; set; }

    [JsonRequired]
    public string Role { get; set; } = null!;
}

/// <summary>A workspace as its member sees it.</summary>
internal sealed class WorkspaceResponse
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string Role { get; init; }

    public required bool IsDefault { get; init; }

    public static WorkspaceResponse From(Workspace workspace, WorkspaceRole role) =>
        new() { Id = workspace.Id, Name = workspace.Name, Role = WorkspaceRoles.Format(role), IsDefault = workspace.IsDefault };
}

internal sealed class WorkspaceListResponse
{
    public required IReadOnlyList<WorkspaceResponse> Workspaces { get; init; }
}

internal sealed class MemberResponse
{
    public required string UserId { get; init; }

    public required string Role { get; init; }

    public static MemberResponse From(WorkspaceMember member) => new() { UserId = member.UserId, Role = WorkspaceRoles.Format(member.Role) };
}

internal sealed class MemberListResponse
{
    public required IReadOnlyList<MemberResponse> Members { get; init; }
}

/// <summary>Strict: an unknown member, a wrong type or a duplicate is a bad request, not something silently dropped.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowDuplicateProperties = false,
    MaxDepth = 8)]
[JsonSerializable(typeof(WorkspaceRequest))]
[JsonSerializable(typeof(MemberRequest))]
[JsonSerializable(typeof(WorkspaceResponse))]
[JsonSerializable(typeof(WorkspaceListResponse))]
[JsonSerializable(typeof(MemberResponse))]
[JsonSerializable(typeof(MemberListResponse))]
internal sealed partial class WorkspaceJsonContext : JsonSerializerContext;

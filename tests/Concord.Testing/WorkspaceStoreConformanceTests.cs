using Concord.Server.Workspaces;
using Xunit;

namespace Concord.Testing;

/// <summary>
/// What every <see cref="IWorkspaceStore"/> must do. A store's test class derives from this and says how to make
/// one; <see cref="ReopenAsync"/> proves what is kept survives.
/// </summary>
public abstract class WorkspaceStoreConformanceTests
{
    /// <summary>A fresh, initialized, empty store.</summary>
    protected abstract Task<IWorkspaceStore> CreateStoreAsync();

    /// <summary>The same store as a new process would open it; a store that keeps nothing returns it as it is.</summary>
    protected abstract Task<IWorkspaceStore> ReopenAsync(IWorkspaceStore store);

    [Fact]
    public async Task A_created_workspace_has_its_creator_as_its_only_owner()
    {
        IWorkspaceStore store = await CreateStoreAsync();
        Assert.True(await store.CreateAsync(new Workspace("ws_a", "Team A", false), "alice"));
        store = await ReopenAsync(store);

        Assert.Equal(new Workspace("ws_a", "Team A", false), await store.FindAsync("ws_a"));
        Assert.Equal(WorkspaceRole.Owner, await store.FindRoleAsync("ws_a", "alice"));
        Assert.Null(await store.FindRoleAsync("ws_a", "bob"));
        Assert.Equal([new WorkspaceMember("alice", WorkspaceRole.Owner)], await store.ListMembersAsync("ws_a"));
    }

    [Fact]
    public async Task An_id_is_never_given_twice_even_after_the_workspace_is_deleted()
    {
        IWorkspaceStore store = await CreateStoreAsync();
        Assert.True(await store.CreateAsync(new Workspace("ws_a", "Team A", false), "alice"));
        Assert.False(await store.CreateAsync(new Workspace("ws_a", "Taken", false), "mallory"));
        Assert.True(await store.DeleteAsync("ws_a"));
        Assert.False(await store.DeleteAsync("ws_a"));
        store = await ReopenAsync(store);

        Assert.False(await store.CreateAsync(new Workspace("ws_a", "Revived", false), "mallory"));
        Assert.Null(await store.FindAsync("ws_a"));
        Assert.Null(await store.FindRoleAsync("ws_a", "alice"));
        Assert.Null(await store.FindRoleAsync("ws_a", "mallory"));
        Assert.Empty(await store.ListMembersAsync("ws_a"));
        Assert.Empty(await store.ListForUserAsync("alice"));
    }

    [Fact]
    public async Task Members_are_added_changed_and_removed_and_a_user_lists_their_workspaces()
    {
        IWorkspaceStore store = await CreateStoreAsync();
        await store.CreateAsync(new Workspace("ws_a", "A", false), "alice");
        await store.CreateAsync(new Workspace("ws_b", "B", false), "bob");
        await store.CreateAsync(new Workspace("user:carol", "Personal", true), "carol");

        Assert.Equal(MembershipUpdate.Done, await store.SetRoleAsync("ws_a", "carol", WorkspaceRole.Viewer));
        Assert.Equal(MembershipUpdate.Done, await store.SetRoleAsync("ws_b", "carol", WorkspaceRole.Editor));
        Assert.Equal(MembershipUpdate.Done, await store.SetRoleAsync("ws_a", "carol", WorkspaceRole.Editor));
        Assert.Equal(MembershipUpdate.NotFound, await store.SetRoleAsync("ws_missing", "carol", WorkspaceRole.Editor));
        Assert.True(await store.RenameAsync("ws_b", "B renamed"));
        Assert.False(await store.RenameAsync("ws_missing", "x"));
        store = await ReopenAsync(store);

        Assert.Equal(
            [
                new WorkspaceMembership(new Workspace("user:carol", "Personal", true), WorkspaceRole.Owner),
                new WorkspaceMembership(new Workspace("ws_a", "A", false), WorkspaceRole.Editor),
                new WorkspaceMembership(new Workspace("ws_b", "B renamed", false), WorkspaceRole.Editor),
            ],
            await store.ListForUserAsync("carol"));
        Assert.Equal(MembershipUpdate.Done, await store.RemoveMemberAsync("ws_a", "carol"));
        Assert.Equal(MembershipUpdate.NotFound, await store.RemoveMemberAsync("ws_a", "carol"));
        Assert.Null(await store.FindRoleAsync("ws_a", "carol"));
        Assert.Equal([new WorkspaceMember("alice", WorkspaceRole.Owner)], await store.ListMembersAsync("ws_a"));
    }

    [Fact]
    public async Task Every_lookup_sees_the_change_before_it_however_often_it_was_made_before()
    {
        IWorkspaceStore store = await CreateStoreAsync();
        Assert.Null(await store.FindAsync("ws_a"));
        Assert.Null(await store.FindRoleAsync("ws_a", "bob"));
        await store.CreateAsync(new Workspace("ws_a", "A", false), "alice");
        Assert.Equal("A", (await store.FindAsync("ws_a"))?.Name);
        Assert.Null(await store.FindRoleAsync("ws_a", "bob"));

        await store.SetRoleAsync("ws_a", "bob", WorkspaceRole.Editor);
        Assert.Equal(WorkspaceRole.Editor, await store.FindRoleAsync("ws_a", "bob"));
        await store.SetRoleAsync("ws_a", "bob", WorkspaceRole.Viewer);
        Assert.Equal(WorkspaceRole.Viewer, await store.FindRoleAsync("ws_a", "bob"));
        await store.RemoveMemberAsync("ws_a", "bob");
        Assert.Null(await store.FindRoleAsync("ws_a", "bob"));
        await store.RenameAsync("ws_a", "A2");
        Assert.Equal("A2", (await store.FindAsync("ws_a"))?.Name);
        Assert.Equal(WorkspaceRole.Owner, await store.FindRoleAsync("ws_a", "alice"));
        await store.DeleteAsync("ws_a");
        Assert.Null(await store.FindAsync("ws_a"));
        Assert.Null(await store.FindRoleAsync("ws_a", "alice"));
    }

    [Fact]
    public async Task The_last_owner_can_neither_leave_nor_be_demoted_but_one_of_two_can()
    {
        IWorkspaceStore store = await CreateStoreAsync();
        await store.CreateAsync(new Workspace("ws_a", "A", false), "alice");

        Assert.Equal(MembershipUpdate.LastOwner, await store.RemoveMemberAsync("ws_a", "alice"));
        Assert.Equal(MembershipUpdate.LastOwner, await store.SetRoleAsync("ws_a", "alice", WorkspaceRole.Editor));
        Assert.Equal(MembershipUpdate.Done, await store.SetRoleAsync("ws_a", "alice", WorkspaceRole.Owner));
        Assert.Equal(MembershipUpdate.Done, await store.SetRoleAsync("ws_a", "bob", WorkspaceRole.Owner));
        Assert.Equal(MembershipUpdate.Done, await store.SetRoleAsync("ws_a", "alice", WorkspaceRole.Viewer));
        Assert.Equal(MembershipUpdate.LastOwner, await store.RemoveMemberAsync("ws_a", "bob"));
        Assert.Equal(WorkspaceRole.Owner, await store.FindRoleAsync("ws_a", "bob"));
        Assert.Equal(WorkspaceRole.Viewer, await store.FindRoleAsync("ws_a", "alice"));
    }

    [Fact]
    public async Task Two_owners_stepping_down_at_once_leave_one_owner()
    {
        IWorkspaceStore store = await CreateStoreAsync();
        for (int round = 0; round < 20; round++)
        {
            string id = $"ws_{round}";
            await store.CreateAsync(new Workspace(id, "A", false), "alice");
            await store.SetRoleAsync(id, "bob", WorkspaceRole.Owner);

            MembershipUpdate[] outcomes = await Task.WhenAll(
                Task.Run(async () => await store.RemoveMemberAsync(id, "alice")),
                Task.Run(async () => await store.SetRoleAsync(id, "bob", WorkspaceRole.Viewer)));

            Assert.Single(outcomes, o => o == MembershipUpdate.LastOwner);
            Assert.Single(await store.ListMembersAsync(id), m => m.Role == WorkspaceRole.Owner);
        }
    }

    [Fact]
    public async Task Hostile_ids_and_names_are_kept_as_they_are()
    {
        IWorkspaceStore store = await CreateStoreAsync();
        const string id = "ws'; DROP TABLE concord_workspaces; --";
        const string name = "Robert'); DELETE FROM concord_workspace_members; -- 🚀 \"quoted\"";
        const string user = "x' OR '1'='1";

        Assert.True(await store.CreateAsync(new Workspace(id, name, false), user));
        Assert.True(await store.CreateAsync(new Workspace("ws_other", "Other", false), "alice"));
        store = await ReopenAsync(store);

        Assert.Equal(new Workspace(id, name, false), await store.FindAsync(id));
        Assert.Equal(WorkspaceRole.Owner, await store.FindRoleAsync(id, user));
        Assert.Null(await store.FindRoleAsync("ws_other", user));
        Assert.Equal(WorkspaceRole.Owner, await store.FindRoleAsync("ws_other", "alice"));
    }
}

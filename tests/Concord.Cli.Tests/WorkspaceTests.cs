using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Concord.Testing;

namespace Concord.Cli.Tests;

/// <summary>
/// Workspaces end to end on a <c>concord serve --config …</c> configured by its file alone: two teams' workspaces,
/// owners, editors and viewers, over the REST endpoints, push, pull, the WebSocket and the event stream.
/// </summary>
public sealed class WorkspaceTests(WorkspaceTests.Server fixture) : IClassFixture<WorkspaceTests.Server>
{
    private static readonly string Alice = TestTokens.Create("alice", null), Bob = TestTokens.Create("bob", null), Carol = TestTokens.Create("carol", null);
    private static readonly string Zoe = TestTokens.Create("zoe", null), Mallory = TestTokens.Create("mallory", null);

    [Fact]
    public async Task A_users_first_request_gets_a_default_workspace_they_own_and_cannot_delete()
    {
        string token = TestTokens.Create("newcomer", null);

        (HttpStatusCode pushed, JsonElement push) = await TokenRequests.SendAsync(HttpMethod.Post, Sync("push"), TokenRequests.Push("mine"), token);
        (HttpStatusCode listed, JsonElement list) = await Api(HttpMethod.Get, "", null, token);
        (HttpStatusCode deleted, JsonElement refusal) = await Api(HttpMethod.Delete, "/user:newcomer", null, token);

        Assert.Equal(HttpStatusCode.OK, pushed);
        Assert.Equal("applied", push.GetProperty("results")[0].GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, listed);
        JsonElement only = Assert.Single(list.GetProperty("workspaces").EnumerateArray());
        Assert.Equal("user:newcomer", only.GetProperty("id").GetString());
        Assert.Equal("owner", only.GetProperty("role").GetString());
        Assert.True(only.GetProperty("isDefault").GetBoolean());
        Assert.Equal(HttpStatusCode.Conflict, deleted);
        Assert.Equal("SYNC:CONFLICT", TokenRequests.ErrorCode(refusal));
    }

    [Fact]
    public async Task Owners_editors_and_viewers_of_two_teams_read_and_write_what_their_role_allows()
    {
        string teamA = await CreateAsync(Alice, "Team A");
        string teamZ = await CreateAsync(Zoe, "Team Z");
        Assert.Equal(HttpStatusCode.Created, (await Api(HttpMethod.Put, $"/{teamA}/members/bob", """{"role":"editor"}""", Alice)).Status);
        Assert.Equal(HttpStatusCode.Created, (await Api(HttpMethod.Post, $"/{teamA}/members", """{"userId":"carol","role":"viewer"}""", Alice)).Status);

        (HttpStatusCode bobPushed, JsonElement bobPush) = await TokenRequests.SendAsync(HttpMethod.Post, Sync("push"), TokenRequests.Push("plan", "tasks", """{"title":"Plan","done":false}"""), Bob, teamA);
        (HttpStatusCode carolPushed, JsonElement carolPush) = await TokenRequests.SendAsync(HttpMethod.Post, Sync("push"), TokenRequests.Push("sneaky", "tasks", """{"title":"No"}"""), Carol, teamA);
        (_, JsonElement carolPage) = await TokenRequests.SendAsync(HttpMethod.Post, Sync("pull"), """{"cursor":null}""", Carol, teamA);
        (_, JsonElement zoePage) = await TokenRequests.SendAsync(HttpMethod.Post, Sync("pull"), """{"cursor":null}""", Zoe, teamZ);
        (HttpStatusCode zoeIntoA, JsonElement zoeRefused) = await TokenRequests.SendAsync(HttpMethod.Post, Sync("pull"), """{"cursor":null}""", Zoe, teamA);
        (HttpStatusCode aliceIntoZ, _) = await TokenRequests.SendAsync(HttpMethod.Post, Sync("push"), TokenRequests.Push("x", "tasks", """{"title":"x"}"""), Alice, teamZ);

        Assert.Equal(HttpStatusCode.OK, bobPushed);
        Assert.Equal("applied", bobPush.GetProperty("results")[0].GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, carolPushed);
        Assert.Equal("rejected", carolPush.GetProperty("results")[0].GetProperty("status").GetString());
        Assert.Equal("SYNC:FORBIDDEN", carolPush.GetProperty("results")[0].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(["plan"], carolPage.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Empty(zoePage.GetProperty("records").EnumerateArray());
        Assert.Equal(HttpStatusCode.Forbidden, zoeIntoA);
        Assert.Equal("SYNC:FORBIDDEN", TokenRequests.ErrorCode(zoeRefused));
        Assert.Equal(HttpStatusCode.Forbidden, aliceIntoZ);

        // The configured schema holds for every role that may write.
        (_, JsonElement invalid) = await TokenRequests.SendAsync(HttpMethod.Post, Sync("push"), TokenRequests.Push("bad", "tasks", """{"done":"yes"}"""), Bob, teamA);
        Assert.Equal("SYNC:INVALID_CHANGE", invalid.GetProperty("results")[0].GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Only_owners_manage_members_and_the_last_owner_can_neither_leave_nor_step_down()
    {
        string team = await CreateAsync(Alice, "Managed");
        await Api(HttpMethod.Put, $"/{team}/members/bob", """{"role":"editor"}""", Alice);
        await Api(HttpMethod.Put, $"/{team}/members/carol", """{"role":"viewer"}""", Alice);

        Assert.Equal(HttpStatusCode.Forbidden, (await Api(HttpMethod.Put, $"/{team}/members/mallory", """{"role":"owner"}""", Bob)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api(HttpMethod.Put, $"/{team}/members/bob", """{"role":"owner"}""", Bob)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api(HttpMethod.Delete, $"/{team}/members/carol", null, Bob)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api(HttpMethod.Patch, $"/{team}", """{"name":"Mine now"}""", Bob)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api(HttpMethod.Delete, $"/{team}", null, Carol)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api(HttpMethod.Get, $"/{team}/members", null, Mallory)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api(HttpMethod.Put, $"/{team}/members/mallory", """{"role":"owner"}""", Mallory)).Status);

        (HttpStatusCode leave, JsonElement lastOwner) = await Api(HttpMethod.Delete, $"/{team}/members/alice", null, Alice);
        (HttpStatusCode demote, _) = await Api(HttpMethod.Put, $"/{team}/members/alice", """{"role":"editor"}""", Alice);
        Assert.Equal(HttpStatusCode.Conflict, leave);
        Assert.Equal("SYNC:CONFLICT", TokenRequests.ErrorCode(lastOwner));
        Assert.Equal(HttpStatusCode.Conflict, demote);

        Assert.Equal(HttpStatusCode.OK, (await Api(HttpMethod.Put, $"/{team}/members/bob", """{"role":"owner"}""", Alice)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Api(HttpMethod.Delete, $"/{team}/members/alice", null, Alice)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Api(HttpMethod.Delete, $"/{team}/members/carol", null, Carol)).Status);
        (_, JsonElement members) = await Api(HttpMethod.Get, $"/{team}/members", null, Bob);
        Assert.Equal(["bob:owner"], members.GetProperty("members").EnumerateArray().Select(m => $"{m.GetProperty("userId").GetString()}:{m.GetProperty("role").GetString()}"));
        (HttpStatusCode renamed, JsonElement workspace) = await Api(HttpMethod.Patch, $"/{team}", """{"name":"Bob's now"}""", Bob);
        Assert.Equal(HttpStatusCode.OK, renamed);
        Assert.Equal("Bob's now", workspace.GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_removed_member_is_refused_at_once_with_a_still_valid_token_and_their_streams_are_closed()
    {
        string team = await CreateAsync(Alice, "Removal");
        await Api(HttpMethod.Put, $"/{team}/members/bob", """{"role":"editor"}""", Alice);
        await using RawWebSocket socket = await RawWebSocket.ConnectToWorkspaceAsync(fixture.Process.SyncUri, Bob, team, "concord.v1.json");
        await socket.SendAsync("""{"type":"hello","protocolVersion":1,"clientId":"bob"}""");
        await socket.ReceiveJsonAsync("welcome");
        Assert.Equal(HttpStatusCode.OK, (await TokenRequests.SendAsync(HttpMethod.Post, Sync("push"), TokenRequests.Push("before"), Bob, team)).Status);

        Assert.Equal(HttpStatusCode.NoContent, (await Api(HttpMethod.Delete, $"/{team}/members/bob", null, Alice)).Status);

        JsonElement closing = await socket.ReceiveJsonAsync("error");
        Assert.Equal("SYNC:FORBIDDEN", TokenRequests.ErrorCode(closing));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await socket.ClosedAsync());
        foreach ((HttpMethod method, string path, string? body) in new[] { (HttpMethod.Post, "push", TokenRequests.Push("after")), (HttpMethod.Post, "pull", """{"cursor":null}"""), (HttpMethod.Get, "stats", null), (HttpMethod.Get, "events", null) })
        {
            (HttpStatusCode status, JsonElement error) = await TokenRequests.SendAsync(method, Sync(path), body, Bob, team);
            Assert.True(status == HttpStatusCode.Forbidden, $"{path} answered {status}");
            Assert.Equal("SYNC:FORBIDDEN", TokenRequests.ErrorCode(error));
        }

        (_, JsonElement page) = await TokenRequests.SendAsync(HttpMethod.Post, Sync("pull"), """{"cursor":null}""", Alice, team);
        Assert.Equal(["before"], page.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task A_deleted_workspace_admits_nobody_and_its_id_is_not_given_again()
    {
        string team = await CreateAsync(Alice, "Short-lived");
        await Api(HttpMethod.Put, $"/{team}/members/bob", """{"role":"editor"}""", Alice);

        Assert.Equal(HttpStatusCode.NoContent, (await Api(HttpMethod.Delete, $"/{team}", null, Alice)).Status);

        Assert.Equal(HttpStatusCode.NotFound, (await Api(HttpMethod.Get, $"/{team}", null, Alice)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await TokenRequests.SendAsync(HttpMethod.Post, Sync("pull"), """{"cursor":null}""", Alice, team)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await TokenRequests.SendAsync(HttpMethod.Post, Sync("pull"), """{"cursor":null}""", Bob, team)).Status);
        (_, JsonElement list) = await Api(HttpMethod.Get, "", null, Alice);
        Assert.DoesNotContain(list.GetProperty("workspaces").EnumerateArray(), w => w.GetProperty("id").GetString() == team);
    }

    public static TheoryData<string, string, string, HttpStatusCode> HostileWorkspaceRequests => new()
    {
        { "POST", "", "{\"name\":\"x\",\"owner\":\"mallory\"}", HttpStatusCode.BadRequest },
        { "POST", "", "{\"name\":42}", HttpStatusCode.BadRequest },
        { "POST", "", "{\"name\":\"\"}", HttpStatusCode.BadRequest },
        { "POST", "", "{\"name\":\"   \"}", HttpStatusCode.BadRequest },
        { "POST", "", "{\"name\":\"bell\\u0007\"}", HttpStatusCode.BadRequest },
        { "POST", "", "{\"name\":\"x\",\"name\":\"y\"}", HttpStatusCode.BadRequest },
        { "POST", "", "{\"name\":", HttpStatusCode.BadRequest },
        { "POST", "", "[]", HttpStatusCode.BadRequest },
        { "POST", "", "null", HttpStatusCode.BadRequest },
        { "POST", "", "{\"name\":\"" + new string('n', 201) + "\"}", HttpStatusCode.BadRequest },
        { "POST", "", "{\"name\":\"" + new string('n', 20_000) + "\"}", HttpStatusCode.RequestEntityTooLarge },
        { "PUT", "/{team}/members/bob", "{\"role\":\"admin\"}", HttpStatusCode.BadRequest },
        { "PUT", "/{team}/members/bob", "{\"role\":\"Owner\"}", HttpStatusCode.BadRequest },
        { "PUT", "/{team}/members/bob", "{\"role\":\"editor\",\"userId\":\"mallory\"}", HttpStatusCode.BadRequest },
        { "POST", "/{team}/members", "{\"role\":\"editor\"}", HttpStatusCode.BadRequest },
        { "POST", "/{team}/members", "{\"role\":\"editor\",\"userId\":\"\"}", HttpStatusCode.BadRequest },
        { "GET", "/ws_does_not_exist", "", HttpStatusCode.NotFound },
        { "GET", "/{team}/nothing-here", "", HttpStatusCode.NotFound },
        { "PUT", "", "{}", HttpStatusCode.MethodNotAllowed },
    };

    [Theory]
    [MemberData(nameof(HostileWorkspaceRequests))]
    public async Task Hostile_workspace_requests_are_refused_with_a_sync_error_and_change_nothing(string method, string path, string body, HttpStatusCode expected)
    {
        string team = await CreateAsync(Alice, "Target");
        (_, JsonElement before) = await Api(HttpMethod.Get, $"/{team}/members", null, Alice);

        (HttpStatusCode status, JsonElement error) = await Api(new HttpMethod(method), path.Replace("{team}", team, StringComparison.Ordinal), body.Length == 0 ? null : body, Alice);

        Assert.Equal(expected, status);
        Assert.StartsWith("SYNC:", TokenRequests.ErrorCode(error), StringComparison.Ordinal);
        (_, JsonElement after) = await Api(HttpMethod.Get, $"/{team}/members", null, Alice);
        Assert.Equal(before.GetRawText(), after.GetRawText());
    }

    [Fact]
    public async Task Injection_shaped_names_and_ids_are_kept_as_data()
    {
        const string name = "Robert'); DROP TABLE concord_workspaces;-- <script>alert(1)</script>";
        string team = await CreateAsync(Alice, name);
        const string user = "x' OR '1'='1";
        (HttpStatusCode added, _) = await Api(HttpMethod.Put, $"/{team}/members/{Uri.EscapeDataString(user)}", """{"role":"viewer"}""", Alice);

        (_, JsonElement workspace) = await Api(HttpMethod.Get, $"/{team}", null, Alice);
        (_, JsonElement members) = await Api(HttpMethod.Get, $"/{team}/members", null, Alice);
        (HttpStatusCode other, _) = await TokenRequests.SendAsync(HttpMethod.Post, Sync("pull"), """{"cursor":null}""", TestTokens.Create(user, null), team);

        Assert.Equal(HttpStatusCode.Created, added);
        Assert.Equal(name, workspace.GetProperty("name").GetString());
        Assert.Contains(members.GetProperty("members").EnumerateArray(), m => m.GetProperty("userId").GetString() == user);
        Assert.Equal(HttpStatusCode.OK, other);
        Assert.Equal(HttpStatusCode.NotFound, (await Api(HttpMethod.Get, "/" + Uri.EscapeDataString("' OR 1=1 --"), null, Alice)).Status);
    }

    [Fact]
    public async Task A_client_keeps_each_workspace_apart_with_its_own_cursor_and_outbox()
    {
        string team = await CreateAsync(Alice, "Client team");
        await Api(HttpMethod.Put, $"/{team}/members/bob", """{"role":"editor"}""", Alice);
        await using var clients = new TestClients();
        Concord.Client.ConcordClient alice = await clients.OpenAsync("alice", fixture.Process.SyncUri, o => o with { AccessTokenProvider = _ => ValueTask.FromResult<string?>(Alice) });
        Concord.Client.ConcordClient aliceTeam = await alice.WithTenantAsync(team);
        Concord.Client.ConcordClient bob = await clients.OpenAsync("bob", fixture.Process.SyncUri, o => o with { AccessTokenProvider = _ => ValueTask.FromResult<string?>(Bob), Workspace = team });

        await alice.Collection<JsonElement>("notes").PutAsync("personal", JsonSerializer.SerializeToElement(new { text = "mine" }));
        await aliceTeam.Collection<JsonElement>("notes").PutAsync("shared", JsonSerializer.SerializeToElement(new { text = "ours" }));
        Assert.Equal(1, alice.QueueStats.Count);
        Assert.Equal(1, aliceTeam.QueueStats.Count);
        await alice.SyncAsync();
        await aliceTeam.SyncAsync();
        await bob.SyncAsync();

        Assert.Same(aliceTeam, await alice.WithTenantAsync(team));
        Assert.Equal(["personal"], (await alice.Collection<JsonElement>("notes").ListAsync()).Select(n => n.GetProperty("text").GetString() == "mine" ? "personal" : "?"));
        Assert.Equal(["ours"], (await aliceTeam.Collection<JsonElement>("notes").ListAsync()).Select(n => n.GetProperty("text").GetString()));
        Assert.Equal(["ours"], (await bob.Collection<JsonElement>("notes").ListAsync()).Select(n => n.GetProperty("text").GetString()));
        (_, JsonElement personal) = await TokenRequests.SendAsync(HttpMethod.Post, Sync("pull"), """{"cursor":null}""", Alice);
        Assert.DoesNotContain(personal.GetProperty("records").EnumerateArray(), r => r.GetProperty("id").GetString() == "shared");
    }

    [Fact]
    public async Task The_workspace_endpoints_need_a_user()
    {
        (HttpStatusCode status, JsonElement error) = await Api(HttpMethod.Get, "", null, null);
        (HttpStatusCode forged, _) = await Api(HttpMethod.Post, "", """{"name":"x"}""", TestTokens.Unsigned("alice", "t1"));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("SYNC:UNAUTHORIZED", TokenRequests.ErrorCode(error));
        Assert.Equal(HttpStatusCode.Unauthorized, forged);
    }

    private async Task<string> CreateAsync(string token, string name)
    {
        (HttpStatusCode status, JsonElement workspace) = await Api(HttpMethod.Post, "", JsonSerializer.Serialize(new { name }), token);
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("owner", workspace.GetProperty("role").GetString());
        return workspace.GetProperty("id").GetString()!;
    }

    private Task<(HttpStatusCode Status, JsonElement Body)> Api(HttpMethod method, string path, string? body, string? token) =>
        TokenRequests.SendAsync(method, new Uri(fixture.Process.Root, "api/workspaces" + path), body, token);

    private Uri Sync(string path) => new(fixture.Process.SyncUri, path);

    /// <summary>One <c>concord serve --config concord.json</c> for the class, its tokens, collections and limits all in the file.</summary>
    public sealed class Server : IAsyncLifetime
    {
        private readonly TempDirectory _folder = new();

        public ServerProcess Process { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await File.WriteAllTextAsync(_folder.File("concord.json"), $$"""
                {
                  "Jwt": { "Secret": "{{TestTokens.Secret}}", "Issuer": "{{TestTokens.Issuer}}", "Audience": "{{TestTokens.Audience}}" },
                  "Concord": {
                    "AllowUndeclaredCollections": false,
                    "RateLimits": { "UserRequestsPerSecond": 1000, "UserBurst": 1000 },
                    "Collections": {
                      "notes": {},
                      "tasks": {
                        "Policy": "lww",
                        "AllowUndeclaredFields": false,
                        "Schema": { "title": { "Type": "String", "Required": true, "MaxLength": 200 }, "done": { "Type": "Boolean" } }
                      }
                    }
                  }
                }
                """);
            Process = await ServerProcess.StartAsync(_folder.File("workspaces.db"), null, new Uri("http://127.0.0.1:0"), "--config", _folder.File("concord.json"));
        }

        public async Task DisposeAsync()
        {
            await Process.DisposeAsync();
            _folder.Dispose();
        }
    }
}

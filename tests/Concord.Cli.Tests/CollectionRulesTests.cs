using System.Net;
using System.Text;
using System.Text.Json;
using Concord.Client;
using Concord.Errors;
using Concord.Protocol;
using Concord.Records;
using Concord.Server;
using Concord.Server.Auth;
using Concord.Testing;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace Concord.Cli.Tests;

/// <summary>
/// Per-collection <c>CanRead</c>/<c>CanWrite</c> rules on every entry point (push, pull, the WebSocket, the client's
/// rollback, the in-process API), on a real Kestrel server with JWT bearer authentication.
/// </summary>
public sealed class CollectionRulesTests : IAsyncLifetime
{
    private const string Team = "team-rules";
    private static readonly string Alice = TestTokens.Create("alice", Team), Bob = TestTokens.Create("bob", Team);
    private readonly TempDirectory _folder = new();
    private ConcordTestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await ConcordTestServer.StartAsync(
            _folder.File("rules.db"),
            o =>
            {
                o.Auth.RequireAuthenticatedUser = true;
                o.Collection("posts", c =>
                {
                    // Only its author changes a post, and its author is set once.
                    c.CanWrite = (principal, change, current) => current is null || current.IsDeleted
                        ? change.Fields.TryGetValue("author", out RawJsonValue author) && author.ToElement().GetString() == principal.UserId
                        : current.Fields.TryGetValue("author", out FieldState stored) && stored.Value.ToElement().GetString() == principal.UserId && !change.Fields.ContainsKey("author");

                    // A private post is its author's alone.
                    c.CanRead = (principal, record) =>
                        record.Fields.ToElement() is var fields && fields.ValueKind == JsonValueKind.Object
                        && (!fields.TryGetProperty("private", out JsonElement secret) || !secret.GetBoolean() || fields.GetProperty("author").GetString() == principal.UserId);
                });
                o.Collection("traps", c => c.CanWrite = (_, _, _) => throw new InvalidOperationException("a bug in the rule"));
            },
            services => services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(TestTokens.Secret)),
                    ValidIssuer = TestTokens.Issuer,
                    ValidAudience = TestTokens.Audience,
                };
            }));

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_change_its_rule_refuses_is_rejected_forbidden_and_the_rest_of_its_batch_applies()
    {
        await PushAsync(Alice, Post("p1", "alice"));

        JsonElement results = (await PushAsync(Bob, Post("p1", "bob"), Post("p2", "bob"), TokenRequests.Change("trap", "traps"))).GetProperty("results");

        Assert.Equal("rejected", results[0].GetProperty("status").GetString());
        Assert.Equal("SYNC:FORBIDDEN", results[0].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("applied", results[1].GetProperty("status").GetString());
        Assert.Equal("SYNC:FORBIDDEN", results[2].GetProperty("error").GetProperty("code").GetString());
        JsonElement p1 = (await PullAsync(Alice)).Single(r => r.GetProperty("id").GetString() == "p1");
        Assert.Equal("alice", p1.GetProperty("fields").GetProperty("author").GetString());
    }

    [Fact]
    public async Task A_record_its_rule_hides_is_not_pulled_nor_broadcast_but_its_author_gets_it()
    {
        await using RawWebSocket bobSocket = await HelloAsync(Bob);
        await bobSocket.SendAsync("""{"type":"pull","id":1,"cursor":null}""");
        await bobSocket.ReceiveJsonAsync("pullResult");

        await PushAsync(Alice, Post("secret", "alice", isPrivate: true), Post("public", "alice"));

        // Records under a read rule are never broadcast: the socket is poked, and its pull is filtered.
        JsonElement poke = await bobSocket.ReceiveJsonAsync();
        Assert.Equal("poke", poke.GetProperty("type").GetString());
        await bobSocket.SendAsync("""{"type":"pull","id":2,"cursor":null}""");
        JsonElement bobPage = await bobSocket.ReceiveJsonAsync("pullResult");
        Assert.Equal(["public"], bobPage.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.DoesNotContain(await PullAsync(Bob), r => r.GetProperty("id").GetString() == "secret");
        Assert.Contains(await PullAsync(Alice), r => r.GetProperty("id").GetString() == "secret");
    }

    [Fact]
    public async Task A_client_whose_write_is_refused_rolls_it_back_and_hears_why()
    {
        await PushAsync(Alice, Post("p1", "alice"));
        await using var clients = new TestClients();
        ConcordClient bob = await clients.OpenAsync("bob", _server.SyncUri, o => o with { AccessTokenProvider = _ => ValueTask.FromResult<string?>(Bob) });
        await bob.SyncAsync();
        var rejected = new List<ChangeRejectedEventArgs>();
        bob.ChangeRejected += (_, e) => rejected.Add(e);

        await bob.Collection<JsonElement>("posts").PatchAsync("p1", new { title = "Bob was here" });
        await bob.SyncAsync();

        JsonElement p1 = await bob.Collection<JsonElement>("posts").GetAsync("p1");
        Assert.Equal("By alice", p1.GetProperty("title").GetString());
        Assert.Equal(SyncErrorCodes.Forbidden, Assert.Single(rejected).Error.Code);
    }

    [Fact]
    public async Task Server_code_writes_and_reads_through_the_same_rules_and_its_changes_reach_clients()
    {
        ConcordServer server = _server.Services.GetRequiredService<ConcordServer>();
        await using RawWebSocket bobSocket = await HelloAsync(Bob);
        await bobSocket.SendAsync("""{"type":"pull","id":1,"cursor":null}""");
        await bobSocket.ReceiveJsonAsync("pullResult");

        PushResponse job = await server.ApplyAsync(ConcordPrincipal.Server, Team, [Note("from-a-job", server.Now())]);
        JsonElement changes = await bobSocket.ReceiveJsonAsync("changes");
        PushResponse asBob = await server.ApplyAsync(new ConcordPrincipal("bob", Team, []), Team, [PostChange("forged", "alice", server.Now())]);
        PushResponse asViewer = await server.ApplyAsync(new ConcordPrincipal("vera", Team, ["viewer"]), Team, [Note("by-a-viewer", server.Now())]);
        SyncException outsider = await Assert.ThrowsAsync<SyncException>(async () => await server.ApplyAsync(new ConcordPrincipal("mallory", null, []), Team, [Note("intruder", server.Now())]));
        await server.ApplyAsync(new ConcordPrincipal("alice", Team, []), Team, [PostChange("alice-only", "alice", server.Now(), isPrivate: true)]);
        PullResponse bobReads = await server.ReadAsync(new ConcordPrincipal("bob", Team, []), Team, new PullRequest());

        Assert.Equal(ChangeStatus.Applied, job.Results[0].Status);
        Assert.Equal(["from-a-job"], changes.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(SyncErrorCodes.Forbidden, asBob.Results[0].Error!.Code);
        Assert.Equal(SyncErrorCodes.Forbidden, asViewer.Results[0].Error!.Code);
        Assert.Equal(SyncErrorCodes.Forbidden, outsider.Code);
        Assert.Contains(bobReads.Records, r => r.Id == "from-a-job");
        Assert.DoesNotContain(bobReads.Records, r => r.Id == "alice-only");
    }

    private async Task<RawWebSocket> HelloAsync(string token)
    {
        RawWebSocket ws = await RawWebSocket.ConnectWithBearerAsync(_server.SyncUri, token, "concord.v1.json");
        await ws.SendAsync("""{"type":"hello","protocolVersion":1,"clientId":"c"}""");
        await ws.ReceiveJsonAsync("welcome");
        return ws;
    }

    private async Task<JsonElement> PushAsync(string token, params string[] changes)
    {
        (HttpStatusCode status, JsonElement body) = await TokenRequests.SendAsync(HttpMethod.Post, new Uri(_server.SyncUri, "push"), $$"""{"clientId":"c","changes":[{{string.Join(",", changes)}}]}""", token);
        Assert.Equal(HttpStatusCode.OK, status);
        return body;
    }

    private async Task<IReadOnlyList<JsonElement>> PullAsync(string token)
    {
        (_, JsonElement page) = await TokenRequests.SendAsync(HttpMethod.Post, new Uri(_server.SyncUri, "pull"), """{"cursor":null}""", token);
        return [.. page.GetProperty("records").EnumerateArray()];
    }

    private static string Post(string id, string author, bool isPrivate = false) =>
        TokenRequests.Change(id, "posts", JsonSerializer.Serialize(new { author, title = "By " + author, @private = isPrivate }));

    private static ChangeMessage PostChange(string id, string author, string hlc, bool isPrivate = false) =>
        new() { OpId = Guid.NewGuid().ToString(), Collection = "posts", Id = id, Kind = "put", Fields = RawJsonValue.Parse(JsonSerializer.Serialize(new { author, title = "x", @private = isPrivate })), Hlc = hlc };

    private static ChangeMessage Note(string id, string hlc) =>
        new() { OpId = Guid.NewGuid().ToString(), Collection = "notes", Id = id, Kind = "put", Fields = RawJsonValue.Parse("""{"text":"x"}"""), Hlc = hlc };
}

using System.Net;
using System.Text;
using System.Text.Json;
using Concord.Client;
using Concord.Crdt.Text;
using Concord.Testing;

namespace Concord.Cli.Tests;

/// <summary>
/// Hostile callers against a real <c>concord serve --jwt-secret</c> with rate limits and a text collection: reads
/// and writes across tenants by id, cursor, WebSocket and event stream, floods, malformed and deeply nested bodies,
/// injection-shaped names, and text updates sent in the costliest order. Each checks the answer, that the store is
/// unchanged for everyone else, and that nothing leaked. (Tokens: <see cref="AuthenticationTests"/> and
/// <see cref="AsymmetricTokenTests"/>; roles: <see cref="WorkspaceTests"/>; rules: <see cref="CollectionRulesTests"/>.)
/// </summary>
public sealed class AttackTests(AttackTests.Server fixture) : IClassFixture<AttackTests.Server>
{
    [Fact]
    public async Task Writing_another_tenants_record_id_makes_a_record_of_ones_own_and_leaves_theirs_alone()
    {
        string victim = TestTokens.Create("victim", "bank"), attacker = TestTokens.Create("attacker", "robbers");
        await PushAsync(victim, TokenRequests.Push("account-1", fields: """{"text":"balance 100"}"""));

        await PushAsync(attacker, TokenRequests.Push("account-1", fields: """{"text":"balance 0"}"""));
        await PushAsync(attacker, $$"""{"clientId":"x","changes":[{"opId":"{{Guid.NewGuid()}}","collection":"notes","id":"account-1","kind":"delete","hlc":"{{Hlc()}}"}]}""");

        JsonElement theirs = Assert.Single(await PullAsync(victim), r => r.GetProperty("id").GetString() == "account-1");
        Assert.Equal("balance 100", theirs.GetProperty("fields").GetProperty("text").GetString());
    }

    [Fact]
    public async Task An_event_stream_and_a_websocket_never_hear_of_another_tenants_activity()
    {
        string listener = TestTokens.Create("listener", "quiet-team"), noisy = TestTokens.Create("noisy", "noisy-team");
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", listener);
        await using RawEventStream events = await RawEventStream.OpenAsync(http, fixture.Process.SyncUri);
        Assert.Contains("data: {\"version\":0}", await events.ReadBlockAsync());
        await using RawWebSocket socket = await RawWebSocket.ConnectWithTokenAsync(fixture.Process.SyncUri, listener, "concord.v1.json");
        await socket.SendAsync("""{"type":"hello","protocolVersion":1,"clientId":"l"}""");
        await socket.ReceiveJsonAsync("welcome");
        await socket.SendAsync("""{"type":"pull","id":1,"cursor":null}""");
        await socket.ReceiveJsonAsync("pullResult");

        for (int i = 0; i < 5; i++)
        {
            await PushAsync(noisy, TokenRequests.Push($"noise-{i}"));
        }

        // The first thing either hears after the other tenant's five commits is this tenant's own first one.
        await PushAsync(listener, TokenRequests.Push("mine"));
        Assert.Contains("data: {\"version\":1}", await events.ReadBlockAsync());
        JsonElement changes = await socket.ReceiveJsonAsync();
        Assert.Equal("changes", changes.GetProperty("type").GetString());
        Assert.Equal(["mine"], changes.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task A_flooding_user_is_rate_limited_while_another_tenant_is_never_refused()
    {
        string flooder = TestTokens.Create("flooder", "flood-team"), neighbour = TestTokens.Create("neighbour", "calm-team");
        using var stop = new CancellationTokenSource();
        int refused = 0, accepted = 0;
        Task[] flood = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                (HttpStatusCode status, JsonElement body) = await TokenRequests.SendAsync(HttpMethod.Post, Sync("push"), TokenRequests.Push("spam"), flooder);
                Interlocked.Increment(ref status == HttpStatusCode.TooManyRequests && TokenRequests.ErrorCode(body) == "SYNC:RATE_LIMITED" ? ref refused : ref accepted);
            }
        })).ToArray();

        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 30; i++)
        {
            statuses.Add((await TokenRequests.SendAsync(HttpMethod.Post, Sync("push"), TokenRequests.Push($"calm-{i}"), neighbour)).Status);
        }

        await Wait.UntilAsync(() => Task.FromResult(Volatile.Read(ref refused) > 0), "the flood to be refused");
        await stop.CancelAsync();
        await Task.WhenAll(flood);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(30, (await PullAsync(neighbour)).Count);
    }

    public static TheoryData<string, string> MalformedBodies => new()
    {
        { "truncated", """{"clientId":"x","changes":[""" },
        { "not JSON", "\u0000\u0001garbage" },
        { "nested 10,000 deep", """{"clientId":"x","changes":[{"opId":"n","collection":"notes","id":"n","kind":"put","hlc":"0","fields":{"a":""" + new string('[', 10_000) + new string(']', 10_000) + "}}]}" },
        { "wrong types", """{"clientId":42,"changes":"all of them"}""" },
        { "unknown member", """{"clientId":"x","changes":[],"admin":true}""" },
        { "duplicate member", """{"clientId":"x","clientId":"y","changes":[]}""" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task A_malformed_or_deeply_nested_push_is_refused_and_changes_nothing(string why, string body)
    {
        string token = TestTokens.Create("fuzzer", "fuzz-team");
        int before = (await PullAsync(token)).Count;

        (HttpStatusCode status, JsonElement error) = await TokenRequests.SendAsync(HttpMethod.Post, Sync("push"), body, token);

        Assert.True(status == HttpStatusCode.BadRequest, $"{why}: {status}");
        Assert.Equal("SYNC:BAD_REQUEST", TokenRequests.ErrorCode(error));
        Assert.Equal(before, (await PullAsync(token)).Count);
    }

    [Fact]
    public async Task An_oversized_push_is_refused_before_it_is_read()
    {
        string token = TestTokens.Create("fuzzer", "fuzz-team");

        (HttpStatusCode status, JsonElement error) = await TokenRequests.SendAsync(HttpMethod.Post, Sync("push"), TokenRequests.Push("big", fields: $$"""{"text":"{{new string('x', 2 * 1024 * 1024)}}"}"""), token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("SYNC:PAYLOAD_TOO_LARGE", TokenRequests.ErrorCode(error));
    }

    [Theory]
    [InlineData("collection", "notes; DROP TABLE concord_records")]
    [InlineData("collection", "../../etc/passwd")]
    [InlineData("fieldName", "text\u0000")]
    [InlineData("id", "id\u0007bell")]
    public async Task Injection_shaped_names_are_refused_one_by_one_and_the_batch_goes_on(string where, string value)
    {
        string token = TestTokens.Create("injector", "inject-team");
        string hostile = where switch
        {
            "collection" => TokenRequests.Change("x", JsonEncodedText.Encode(value).ToString()),
            "fieldName" => TokenRequests.Change("x", fields: $$"""{"{{JsonEncodedText.Encode(value)}}":1}"""),
            _ => TokenRequests.Change(JsonEncodedText.Encode(value).ToString()),
        };

        JsonElement results = (await PushAsync(token, $$"""{"clientId":"x","changes":[{{hostile}},{{TokenRequests.Change("fine")}}]}""")).GetProperty("results");

        Assert.Equal("rejected", results[0].GetProperty("status").GetString());
        Assert.Equal("SYNC:INVALID_CHANGE", results[0].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("applied", results[1].GetProperty("status").GetString());
        Assert.DoesNotContain(await PullAsync(token), r => r.GetProperty("id").GetString() != "fine");
    }

    [Theory]
    [InlineData("user:someone-else", HttpStatusCode.Forbidden)]
    [InlineData("tab\there", HttpStatusCode.Forbidden)]
    public async Task A_token_cannot_grant_another_users_workspace_or_a_malformed_one(string tenant, HttpStatusCode expected)
    {
        (HttpStatusCode status, JsonElement error) = await TokenRequests.SendAsync(HttpMethod.Post, Sync("pull"), """{"cursor":null}""", TestTokens.Create("sly", tenant));

        Assert.Equal(expected, status);
        Assert.Equal("SYNC:FORBIDDEN", TokenRequests.ErrorCode(error));
    }

    [Fact]
    public async Task Text_updates_pushed_in_reverse_dependency_order_wait_and_integrate_in_near_linear_time()
    {
        string token = TestTokens.Create("typist", "text-team");
        var writer = new ReplicatedText("attacker-replica");
        byte[][] updates = Enumerable.Range(0, 20_000).Select(i => writer.Insert(i, ((char)('a' + (i % 26))).ToString())).ToArray();

        foreach (byte[][] batch in updates.Reverse().Chunk(1_000))
        {
            string changes = string.Join(",", batch.Select(update =>
                $$"""{"opId":"{{Guid.NewGuid()}}","collection":"docs","id":"doc","kind":"patch","hlc":"{{Hlc()}}","crdt":{"body":{"type":"text","update":"{{Convert.ToBase64String(update)}}" """ + "}}}"));
            JsonElement results = (await PushAsync(token, $$"""{"clientId":"typist","changes":[{{changes}}]}""")).GetProperty("results");
            Assert.All(results.EnumerateArray(), r => Assert.Equal("applied", r.GetProperty("status").GetString()));
        }

        await using var clients = new TestClients();
        ConcordClient reader = await clients.OpenAsync("reader", fixture.Process.SyncUri, o => o with { AccessTokenProvider = _ => ValueTask.FromResult<string?>(token) });
        await reader.SyncAsync();
        JsonElement doc = await reader.Collection<JsonElement>("docs").GetAsync("doc");
        Assert.Equal(writer.ToString(), doc.GetProperty("body").GetString());
    }

    private async Task<JsonElement> PushAsync(string token, string body)
    {
        (HttpStatusCode status, JsonElement answer) = await TokenRequests.SendAsync(HttpMethod.Post, Sync("push"), body, token);
        Assert.Equal(HttpStatusCode.OK, status);
        return answer;
    }

    private async Task<IReadOnlyList<JsonElement>> PullAsync(string token)
    {
        (_, JsonElement page) = await TokenRequests.SendAsync(HttpMethod.Post, Sync("pull"), """{"cursor":null}""", token);
        return [.. page.GetProperty("records").EnumerateArray()];
    }

    private Uri Sync(string path) => new(fixture.Process.SyncUri, path);

    private static string Hlc() => TokenRequests.Hlc();

    /// <summary>One <c>concord serve</c> with tokens, a per-user rate limit, a 1 MiB body limit and a text collection.</summary>
    public sealed class Server : IAsyncLifetime
    {
        private readonly TempDirectory _folder = new();

        public ServerProcess Process { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Process = await ServerProcess.StartAsync(
                _folder.File("attacks.db"),
                null,
                new Uri("http://127.0.0.1:0"),
                [
                    .. TestTokens.ServeArguments,
                    "--Concord:RateLimits:UserRequestsPerSecond=100",
                    "--Concord:RateLimits:UserBurst=100",
                    "--Concord:Limits:MaxBodyBytes=1048576",
                    "--Concord:Collections:docs:Fields:body=text",
                ]);

        public async Task DisposeAsync()
        {
            await Process.DisposeAsync();
            _folder.Dispose();
        }
    }
}

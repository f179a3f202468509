using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Concord.Client;
using Concord.Testing;

namespace Concord.Cli.Tests;

/// <summary>
/// <c>concord serve --jwt-secret</c> against forged, expired and misdirected tokens, and tenants kept apart by the
/// token's <c>tenant</c> claim, on every entry point: push, pull, stats, the WebSocket and the event stream.
/// </summary>
public sealed class AuthenticationTests(AuthenticationTests.Server fixture) : IClassFixture<AuthenticationTests.Server>
{
    public static TheoryData<string, string> BadTokens => new()
    {
        { "no token", string.Empty },
        { "garbage", "not.a.token" },
        { "another key", TestTokens.Create("alice", "t1", key: "another-secret-of-at-least-32-bytes-long") },
        { "alg none", TestTokens.Unsigned("alice", "t1") },
        { "expired", TestTokens.Create("alice", "t1", notBefore: DateTime.UtcNow.AddHours(-2), expires: DateTime.UtcNow.AddHours(-1)) },
        { "not yet valid", TestTokens.Create("alice", "t1", notBefore: DateTime.UtcNow.AddHours(1), expires: DateTime.UtcNow.AddHours(2)) },
        { "wrong issuer", TestTokens.Create("alice", "t1", issuer: "https://elsewhere.test") },
        { "wrong audience", TestTokens.Create("alice", "t1", audience: "someone-else") },
        { "no user", TestTokens.Create(null, "t1") },
        { "RS256 instead of HS256", TestTokens.Create("alice", "t1", signing: TestTokens.Rs256(System.Security.Cryptography.RSA.Create(2048))) },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_request_without_a_valid_token_is_refused_with_unauthorized_on_every_entry_point(string why, string token)
    {
        long before = await AppliedOpsAsync(TestTokens.Create("admin", "t1"));

        foreach ((HttpMethod method, string path, string? body) in new[] { (HttpMethod.Post, "push", Push("x1")), (HttpMethod.Post, "pull", """{"cursor":null}"""), (HttpMethod.Get, "stats", null), (HttpMethod.Get, "events", null), (HttpMethod.Get, "ws", null) })
        {
            (HttpStatusCode status, JsonElement error, HttpResponseMessage response) = await SendAsync(method, path, body, token);
            Assert.True(status == HttpStatusCode.Unauthorized, $"{why}: {path} answered {status}");
            Assert.Equal("SYNC:UNAUTHORIZED", error.GetProperty("error").GetProperty("code").GetString());
            Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri(RawWebSocket.EndpointOf(fixture.Process.SyncUri) + "?access_token=" + Uri.EscapeDataString(token)), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
        socket.Dispose();
        Assert.Equal(before, await AppliedOpsAsync(TestTokens.Create("admin", "t1")));
    }

    [Fact]
    public async Task The_server_description_stays_public()
    {
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(fixture.Process.SyncUri, "sync.json"))).StatusCode);
    }

    [Fact]
    public async Task Tenants_named_by_their_tokens_see_nothing_of_each_other_by_pull_cursor_or_header()
    {
        string alice = TestTokens.Create("alice", "team-a"), bob = TestTokens.Create("bob", "team-b");
        (HttpStatusCode pushed, _, _) = await SendAsync(HttpMethod.Post, "push", Push("secret-plan"), alice);
        (_, JsonElement alicePage, _) = await SendAsync(HttpMethod.Post, "pull", """{"cursor":null}""", alice);
        (_, JsonElement bobPage, _) = await SendAsync(HttpMethod.Post, "pull", """{"cursor":null}""", bob);
        string aliceCursor = alicePage.GetProperty("cursor").GetString()!;
        (HttpStatusCode stolenCursor, JsonElement stale, _) = await SendAsync(HttpMethod.Post, "pull", $$"""{"cursor":"{{aliceCursor}}"}""", bob);
        (HttpStatusCode otherWorkspace, JsonElement forbidden, _) = await SendAsync(HttpMethod.Post, "pull", """{"cursor":null}""", bob, workspace: "team-a");

        Assert.Equal(HttpStatusCode.OK, pushed);
        Assert.Contains(alicePage.GetProperty("records").EnumerateArray(), r => r.GetProperty("id").GetString() == "secret-plan");
        Assert.DoesNotContain(bobPage.GetProperty("records").EnumerateArray(), r => r.GetProperty("id").GetString() == "secret-plan");
        Assert.Equal(HttpStatusCode.Conflict, stolenCursor);
        Assert.Equal("SYNC:CURSOR_STALE", stale.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, otherWorkspace);
        Assert.Equal("SYNC:FORBIDDEN", forbidden.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_websocket_with_a_token_in_its_query_works_and_hears_only_its_tenant()
    {
        await using var carol = await HelloAsync(TestTokens.Create("carol", "team-c"));
        await using var dave = await HelloAsync(TestTokens.Create("dave", "team-d"));
        await dave.SendAsync("""{"type":"pull","id":1,"cursor":null}""");
        await dave.ReceiveJsonAsync("pullResult");

        await carol.SendAsync($$"""{"type":"push","id":1,"clientId":"carol","changes":[{{Change("for-c-only")}}]}""");
        JsonElement result = await carol.ReceiveJsonAsync("pushResult");
        await SendAsync(HttpMethod.Post, "push", Push("for-d"), TestTokens.Create("erin", "team-d"));
        JsonElement changes = await dave.ReceiveJsonAsync("changes");

        Assert.Equal("applied", result.GetProperty("results")[0].GetProperty("status").GetString());
        Assert.Equal(["for-d"], changes.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task A_client_with_an_access_token_provider_syncs_in_real_time()
    {
        await using var clients = new TestClients();
        string token = TestTokens.Create("frank", "team-f");
        ConcordClient writer = await clients.OpenAsync("writer", fixture.Process.SyncUri, o => o with { AccessTokenProvider = _ => ValueTask.FromResult<string?>(token) });
        ConcordClient reader = await clients.OpenAsync("reader", fixture.Process.SyncUri, o => o with { AccessTokenProvider = _ => ValueTask.FromResult<string?>(token), PollInterval = TimeSpan.FromHours(1) });
        reader.Start();
        await Wait.UntilAsync(() => Task.FromResult(reader.Connection == SyncConnection.WebSocket), "the reader's WebSocket");

        await writer.Collection<JsonElement>("notes").PutAsync("n1", JsonSerializer.SerializeToElement(new { text = "authenticated" }));
        await writer.SyncAsync();

        await Wait.UntilAsync(async () => (await reader.Collection<JsonElement>("notes").GetAsync("n1")).ValueKind == JsonValueKind.Object, "the note to reach the reader");
    }

    [Fact]
    public async Task A_refused_token_is_asked_for_again_and_a_fresh_one_connects_over_the_websocket()
    {
        await using var clients = new TestClients();
        int asked = 0;
        string good = TestTokens.Create("grace", "team-g");
        ConcordClient client = await clients.OpenAsync("refreshing", fixture.Process.SyncUri, o => o with
        {
            AccessTokenProvider = _ => ValueTask.FromResult<string?>(Interlocked.Increment(ref asked) <= 2 ? TestTokens.Create("grace", "team-g", expires: DateTime.UtcNow.AddHours(-1), notBefore: DateTime.UtcNow.AddHours(-2)) : good),
            PollInterval = TimeSpan.FromHours(1),
        });

        client.Start();

        await Wait.UntilAsync(() => Task.FromResult(client.Connection == SyncConnection.WebSocket), "a WebSocket with the fresh token");
        Assert.True(Volatile.Read(ref asked) >= 3);
    }

    [Fact]
    public async Task A_websocket_is_closed_with_unauthorized_when_its_token_expires()
    {
        await using RawWebSocket ws = await HelloAsync(TestTokens.Create("heidi", "team-h", expires: DateTime.UtcNow.AddSeconds(2)));

        JsonElement error = await ws.ReceiveJsonAsync("error");

        Assert.Equal("SYNC:UNAUTHORIZED", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await ws.ClosedAsync());
    }

    private async Task<RawWebSocket> HelloAsync(string token)
    {
        RawWebSocket ws = await RawWebSocket.ConnectWithTokenAsync(fixture.Process.SyncUri, token, "concord.v1.json");
        await ws.SendAsync("""{"type":"hello","protocolVersion":1,"clientId":"c"}""");
        await ws.ReceiveJsonAsync("welcome");
        return ws;
    }

    private async Task<(HttpStatusCode, JsonElement, HttpResponseMessage)> SendAsync(HttpMethod method, string path, string? body, string token, string? workspace = null)
    {
        using var http = new HttpClient();
        var request = new HttpRequestMessage(method, new Uri(fixture.Process.SyncUri, path));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (token.Length > 0)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (workspace is not null)
        {
            request.Headers.Add("Concord-Workspace", workspace);
        }

        HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        string text = response.StatusCode == HttpStatusCode.OK && path == "events" ? "{}" : await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    private async Task<long> AppliedOpsAsync(string token)
    {
        (_, JsonElement stats, _) = await SendAsync(HttpMethod.Get, "stats", null, token);
        return stats.GetProperty("appliedOps").GetInt64();
    }

    private static string Push(string id) => TokenRequests.Push(id);

    private static string Change(string id) => TokenRequests.Change(id);

    /// <summary>One <c>concord serve --jwt-secret</c> for the class.</summary>
    public sealed class Server : IAsyncLifetime
    {
        private readonly TempDirectory _folder = new();

        public ServerProcess Process { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Process = await ServerProcess.StartAsync(_folder.File("auth.db"), null, new Uri("http://127.0.0.1:0"), TestTokens.ServeArguments);

        public async Task DisposeAsync()
        {
            await Process.DisposeAsync();
            _folder.Dispose();
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Concord.Testing;

namespace Concord.Cli.Tests;

/// <summary>
/// <c>concord serve</c> with <c>Concord:Cors:AllowedOrigins</c>: CORS preflights and answers for the pages it lists and
/// none for others, and WebSocket and event-stream upgrades refused with <c>403 SYNC:FORBIDDEN</c> from a page of
/// any other origin than the listed ones and the server's own; with the list empty, only the server's own pages.
/// </summary>
public sealed class CrossOriginTests(CrossOriginTests.Servers fixture) : IClassFixture<CrossOriginTests.Servers>
{
    private const string Allowed = "https://app.example.test";
    private const string Foreign = "https://evil.example.test";

    [Theory]
    [InlineData("push")]
    [InlineData("pull")]
    public async Task A_preflight_from_an_allowed_origin_gets_the_cors_headers_and_one_from_another_origin_none(string path)
    {
        using HttpResponseMessage allowed = await PreflightAsync(fixture.Listed, path, Allowed);
        using HttpResponseMessage foreign = await PreflightAsync(fixture.Listed, path, Foreign);
        using HttpResponseMessage unlisted = await PreflightAsync(fixture.Unlisted, path, Allowed);
        using var http = new HttpClient();
        using HttpResponseMessage plainOptions = await http.SendAsync(new HttpRequestMessage(HttpMethod.Options, new Uri(fixture.Listed.SyncUri, path)));

        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal(Allowed, Header(allowed, "Access-Control-Allow-Origin"));
        Assert.Contains("POST", Header(allowed, "Access-Control-Allow-Methods"), StringComparison.Ordinal);
        string headers = Header(allowed, "Access-Control-Allow-Headers")!;
        foreach (string header in new[] { "Content-Type", "Authorization", "Concord-Workspace", "Concord-Protocol" })
        {
            Assert.Contains(header, headers, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Null(Header(foreign, "Access-Control-Allow-Origin"));
        Assert.Null(Header(unlisted, "Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, plainOptions.StatusCode);
    }

    [Fact]
    public async Task A_push_from_an_allowed_origin_is_answered_with_allow_origin_and_one_from_another_origin_is_refused_unapplied()
    {
        using HttpResponseMessage allowed = await PushAsync(Allowed, "from-allowed");
        using HttpResponseMessage foreign = await PushAsync(Foreign, "from-foreign");

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(Allowed, Header(allowed, "Access-Control-Allow-Origin"));
        Assert.Contains("Retry-After", Header(allowed, "Access-Control-Expose-Headers"), StringComparison.OrdinalIgnoreCase);

        // CORS would only hide the answer; a page of another origin (a form's POST, say) must not write at all.
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Null(Header(foreign, "Access-Control-Allow-Origin"));
        Assert.Contains("SYNC:FORBIDDEN", await foreign.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        (_, JsonElement page) = await TokenRequests.SendAsync(HttpMethod.Post, new Uri(fixture.Listed.SyncUri, "pull"), """{"cursor":null}""", TestTokens.Create("kate", "team-k"));
        Assert.DoesNotContain(page.GetProperty("records").EnumerateArray(), r => r.GetProperty("id").GetString() == "from-foreign");
    }

    [Fact]
    public async Task A_websocket_or_event_stream_from_a_foreign_origin_is_refused_with_forbidden_before_the_upgrade()
    {
        string token = TestTokens.Create("ivan", "team-i");
        using var http = new HttpClient();

        (RawWebSocket? socket, HttpStatusCode wsStatus) = await RawWebSocket.TryConnectAsync(RawWebSocket.EndpointWithToken(fixture.Listed.SyncUri, token), o => o.SetRequestHeader("Origin", Foreign), "concord.v1.json");
        (RawWebSocket? unlisted, HttpStatusCode unlistedStatus) = await RawWebSocket.TryConnectAsync(RawWebSocket.EndpointWithToken(fixture.Unlisted.SyncUri, token), o => o.SetRequestHeader("Origin", Allowed), "concord.v1.json");
        using HttpResponseMessage wsAnswer = await http.SendAsync(Get(fixture.Listed.SyncUri, "ws", token, Foreign));
        await using RawEventStream events = await RawEventStream.OpenAsync(http, fixture.Listed.SyncUri, r => Authorize(r, token, Foreign));
        JsonElement wsError = JsonDocument.Parse(await wsAnswer.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        JsonElement eventsError = JsonDocument.Parse(await events.ReadToEndAsync()).RootElement.GetProperty("error");

        Assert.Null(socket);
        Assert.Equal(HttpStatusCode.Forbidden, wsStatus);
        Assert.Null(unlisted);
        Assert.Equal(HttpStatusCode.Forbidden, unlistedStatus);
        Assert.Equal(HttpStatusCode.Forbidden, wsAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, events.Response.StatusCode);
        foreach (JsonElement error in new[] { wsError, eventsError })
        {
            Assert.Equal("SYNC:FORBIDDEN", error.GetProperty("code").GetString());
            Assert.Equal("Origin", error.GetProperty("meta").GetProperty("field").GetString());
        }
    }

    [Fact]
    public async Task A_websocket_or_event_stream_from_an_allowed_origin_or_the_servers_own_is_accepted()
    {
        string token = TestTokens.Create("judy", "team-j");
        string own = fixture.Unlisted.Root.GetLeftPart(UriPartial.Authority);
        using var http = new HttpClient();

        await using RawWebSocket allowed = await RawWebSocket.ConnectToAsync(RawWebSocket.EndpointWithToken(fixture.Listed.SyncUri, token), o => o.SetRequestHeader("Origin", Allowed), "concord.v1.json");
        await using RawWebSocket sameHost = await RawWebSocket.ConnectToAsync(RawWebSocket.EndpointWithToken(fixture.Unlisted.SyncUri, token), o => o.SetRequestHeader("Origin", own), "concord.v1.json");
        await using RawWebSocket noOrigin = await RawWebSocket.ConnectWithTokenAsync(fixture.Unlisted.SyncUri, token, "concord.v1.json");
        await using RawEventStream events = await RawEventStream.OpenAsync(http, fixture.Listed.SyncUri, r => Authorize(r, token, Allowed));

        foreach (RawWebSocket ws in new[] { allowed, sameHost, noOrigin })
        {
            await ws.SendAsync("""{"type":"hello","protocolVersion":1,"clientId":"c"}""");
            await ws.ReceiveJsonAsync("welcome");
        }

        Assert.Equal(HttpStatusCode.OK, events.Response.StatusCode);
        Assert.Equal(Allowed, Header(events.Response, "Access-Control-Allow-Origin"));
        Assert.Contains("event: poke", await events.ReadBlockAsync());
    }

    private static async Task<HttpResponseMessage> PreflightAsync(ServerProcess server, string path, string origin)
    {
        using var http = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Options, new Uri(server.SyncUri, path));
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type,concord-workspace,concord-protocol");
        return await http.SendAsync(request);
    }

    private async Task<HttpResponseMessage> PushAsync(string origin, string id)
    {
        using var http = new HttpClient();
        var request = Get(fixture.Listed.SyncUri, "push", TestTokens.Create("kate", "team-k"), origin);
        request.Method = HttpMethod.Post;
        request.Content = new StringContent(
            TokenRequests.Push(id),
            Encoding.UTF8,
            "application/json");
        return await http.SendAsync(request);
    }

    private static HttpRequestMessage Get(Uri syncUri, string path, string token, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(syncUri, path));
        Authorize(request, token, origin);
        return request;
    }

    private static void Authorize(HttpRequestMessage request, string token, string origin)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("Origin", origin);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? string.Join(", ", values) : null;

    /// <summary>Two <c>concord serve --jwt-secret</c>: one that lists an allowed origin, one that lists none.</summary>
    public sealed class Servers : IAsyncLifetime
    {
        private readonly TempDirectory _folder = new();

        public ServerProcess Listed { get; private set; } = null!;

        public ServerProcess Unlisted { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Task<ServerProcess> listed = ServerProcess.StartAsync(_folder.File("listed.db"), null, new Uri("http://127.0.0.1:0"), [.. TestTokens.ServeArguments, "--Concord:Cors:AllowedOrigins:0=" + Allowed]);
            Task<ServerProcess> unlisted = ServerProcess.StartAsync(_folder.File("unlisted.db"), null, new Uri("http://127.0.0.1:0"), TestTokens.ServeArguments);
            Listed = await listed;
            Unlisted = await unlisted;
        }

        public async Task DisposeAsync()
        {
            await Listed.DisposeAsync();
            await Unlisted.DisposeAsync();
            _folder.Dispose();
        }
    }
}

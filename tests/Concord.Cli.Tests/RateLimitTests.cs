using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Concord.Testing;

namespace Concord.Cli.Tests;

/// <summary>
/// <c>concord serve</c> with rate limits per user and per tenant: a flood from one user is answered 429
/// <c>SYNC:RATE_LIMITED</c> with how long to wait, over HTTP and WebSocket alike, while another user goes on.
/// </summary>
public sealed class RateLimitTests(RateLimitTests.Server fixture) : IClassFixture<RateLimitTests.Server>
{
    [Fact]
    public async Task A_flood_of_requests_is_refused_with_how_long_to_wait_and_another_user_is_not_held_back()
    {
        string flooder = TestTokens.Create("mallory", "team-m"), neighbour = TestTokens.Create("nina", "team-n");
        using var http = new HttpClient();

        List<HttpResponseMessage> answers = [];
        for (int i = 0; i < 40; i++)
        {
            answers.Add(await StatsAsync(http, flooder));
        }

        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
        HttpResponseMessage limited = answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        using JsonDocument error = JsonDocument.Parse(await limited.Content.ReadAsStringAsync());
        HttpResponseMessage other = await StatsAsync(http, neighbour);

        Assert.Equal("SYNC:RATE_LIMITED", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.True(error.RootElement.GetProperty("error").GetProperty("meta").GetProperty("retryAfterMs").GetInt64() > 0);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task WebSocket_messages_count_too_and_a_limited_one_is_answered_with_its_id()
    {
        await using RawWebSocket ws = await RawWebSocket.ConnectWithTokenAsync(fixture.Process.SyncUri, TestTokens.Create("oscar", "team-o"), "concord.v1.json");
        await ws.SendAsync("""{"type":"hello","protocolVersion":1,"clientId":"c"}""");
        await ws.ReceiveJsonAsync("welcome");

        for (int i = 0; i < 40; i++)
        {
            await ws.SendAsync($$"""{"type":"ping","id":{{i}}}""");
        }

        List<JsonElement> answers = [];
        for (int i = 0; i < 40; i++)
        {
            answers.Add(await ws.ReceiveJsonAsync());
        }

        JsonElement limited = answers.First(a => a.GetProperty("type").GetString() == "error");
        Assert.Equal("SYNC:RATE_LIMITED", limited.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Number, limited.GetProperty("id").ValueKind);
        Assert.Contains(answers, a => a.GetProperty("type").GetString() == "pong");
    }

    private Task<HttpResponseMessage> StatsAsync(HttpClient http, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.Process.SyncUri, "stats"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http.SendAsync(request);
    }

    /// <summary>A server that lets each user make 5 requests a second with a burst of 10.</summary>
    public sealed class Server : IAsyncLifetime
    {
        private readonly TempDirectory _folder = new();

        public ServerProcess Process { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Process = await ServerProcess.StartAsync(_folder.File("limits.db"), null, new Uri("http://127.0.0.1:0"), [.. TestTokens.ServeArguments, "--Concord:RateLimits:UserRequestsPerSecond=5", "--Concord:RateLimits:UserBurst=10"]);

        public async Task DisposeAsync()
        {
            await Process.DisposeAsync();
            _folder.Dispose();
        }
    }
}

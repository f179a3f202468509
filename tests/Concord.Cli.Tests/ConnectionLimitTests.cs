using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Concord.Testing;

namespace Concord.Cli.Tests;

/// <summary>
/// <c>concord serve</c> against clients that hold on to connections: realtime connections beyond
/// <c>Realtime:MaxConnectionsPerUser</c> refused with <c>429 SYNC:RATE_LIMITED</c> until one ends, and HTTP clients
/// that send their request head or body slowly disconnected by Kestrel's limits (<c>Kestrel:Limits</c>) while others are served.
/// </summary>
public sealed class ConnectionLimitTests(ConnectionLimitTests.Server fixture) : IClassFixture<ConnectionLimitTests.Server>
{
    private const int MaxConnections = 2;

    [Fact]
    public async Task Connections_beyond_the_users_limit_are_refused_with_rate_limited_and_let_in_again_once_one_ends()
    {
        string token = TestTokens.Create("lena", "team-l");
        using var http = new HttpClient();
        await using RawWebSocket first = await ConnectAsync(token);
        await using RawEventStream stream = await OpenEventsAsync(http, token);
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);

        (RawWebSocket? third, HttpStatusCode wsStatus) = await RawWebSocket.TryConnectAsync(RawWebSocket.EndpointWithToken(fixture.Process.SyncUri, token), null, "concord.v1.json");
        await using RawEventStream refusedStream = await OpenEventsAsync(http, token);
        JsonElement error = JsonDocument.Parse(await refusedStream.ReadToEndAsync()).RootElement.GetProperty("error");
        await using RawWebSocket neighbour = await ConnectAsync(TestTokens.Create("mike", "team-l"));

        Assert.Null(third);
        Assert.Equal(HttpStatusCode.TooManyRequests, wsStatus);
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedStream.Response.StatusCode);
        Assert.Equal("SYNC:RATE_LIMITED", error.GetProperty("code").GetString());
        Assert.Equal("maxConnectionsPerUser", error.GetProperty("meta").GetProperty("limit").GetString());
        Assert.Equal(MaxConnections, error.GetProperty("meta").GetProperty("max").GetInt32());

        // A WebSocket closed properly gives its place back.
        await first.DisposeAsync();
        await using RawWebSocket second = await AdmittedAsync(token, "a WebSocket once another was closed");

        // So does one that is dropped without a close handshake.
        second.Socket.Abort();
        await using RawWebSocket afterDrop = await AdmittedAsync(token, "a WebSocket once another was dropped");

        // And an event stream the client stops reading.
        await stream.DisposeAsync();
        RawEventStream? reopened = null;
        await Wait.UntilAsync(
            async () =>
            {
                RawEventStream attempt = await OpenEventsAsync(http, token);
                if (attempt.Response.StatusCode == HttpStatusCode.OK)
                {
                    reopened = attempt;
                    return true;
                }

                await attempt.DisposeAsync();
                return false;
            },
            "an event stream once another was closed");

        await reopened!.DisposeAsync();
    }

    [Fact]
    public async Task A_client_that_sends_its_request_head_slowly_is_disconnected_while_others_are_served()
    {
        using var slow = await SlowClient.ConnectAsync(fixture.Process.Root, "GET /api/sync/sync.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
        Task<string> closed = slow.TrickleUntilClosedAsync("aaaaaaaaaa"u8.ToArray());

        using var http = new HttpClient();
        HttpResponseMessage other = await http.GetAsync(new Uri(fixture.Process.SyncUri, "sync.json"));
        string answer = await closed;

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.StartsWith("HTTP/1.1 408", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_sends_its_request_body_slowly_is_disconnected_while_others_are_served()
    {
        string token = TestTokens.Create("nora", "team-n");
        using var slow = await SlowClient.ConnectAsync(
            fixture.Process.Root,
            $"POST /api/sync/push HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n" + """{"clientId":"slow","changes":[""");
        Task<string> closed = slow.TrickleUntilClosedAsync("          "u8.ToArray());

        using var http = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Process.SyncUri, "push"))
        {
            Content = new StringContent("""{"clientId":"quick","changes":[]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        HttpResponseMessage other = await http.SendAsync(request);
        string answer = await closed;

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        Assert.Contains("SYNC:BAD_REQUEST", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled failure", fixture.Process.Output, StringComparison.Ordinal);
    }

    private async Task<RawWebSocket> ConnectAsync(string token) =>
        await RawWebSocket.ConnectWithTokenAsync(fixture.Process.SyncUri, token, "concord.v1.json");

    private Task<RawEventStream> OpenEventsAsync(HttpClient http, string token) =>
        RawEventStream.OpenAsync(http, fixture.Process.SyncUri, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token));

    /// <summary>Tries to connect until the server lets the user in again (a slot is given back when the server sees the end).</summary>
    private async Task<RawWebSocket> AdmittedAsync(string token, string what)
    {
        RawWebSocket? admitted = null;
        await Wait.UntilAsync(
            async () =>
            {
                (admitted, HttpStatusCode status) = await RawWebSocket.TryConnectAsync(RawWebSocket.EndpointWithToken(fixture.Process.SyncUri, token), null, "concord.v1.json");
                Assert.True(admitted is not null || status == HttpStatusCode.TooManyRequests, $"refused with {status}");
                return admitted is not null;
            },
            what);
        return admitted!;
    }

    /// <summary>A raw TCP client that writes the start of a request, then trickles the rest a few bytes at a time.</summary>
    private sealed class SlowClient : IDisposable
    {
        private readonly TcpClient _tcp;
        private readonly NetworkStream _stream;

        private SlowClient(TcpClient tcp)
        {
            _tcp = tcp;
            _stream = tcp.GetStream();
        }

        public static async Task<SlowClient> ConnectAsync(Uri root, string start)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync(root.Host, root.Port);
            var client = new SlowClient(tcp);
            await client._stream.WriteAsync(Encoding.ASCII.GetBytes(start));
            return client;
        }

        /// <summary>
        /// Sends one byte of <paramref name="trickle"/> (over and over) every tenth of a second until the server closes
        /// the connection, and returns what it answered; fails when it is still open after <see cref="Wait.DefaultTimeout"/>.
        /// </summary>
        public async Task<string> TrickleUntilClosedAsync(byte[] trickle)
        {
            Task<string> closed = ReadToEndAsync();
            using var bound = new CancellationTokenSource(Wait.DefaultTimeout);
            using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            try
            {
                for (int i = 0; !closed.IsCompleted; i++)
                {
                    await pace.WaitForNextTickAsync(bound.Token);
                    await _stream.WriteAsync(trickle.AsMemory(i % trickle.Length, 1), bound.Token);
                }
            }
            catch (IOException)
            {
                // Closed by the server while writing.
            }
            catch (OperationCanceledException) when (bound.IsCancellationRequested)
            {
                throw new TimeoutException("The server kept a connection that trickles its request open.");
            }

            return await Wait.ForAsync(closed, "the server to close the connection");
        }

        public void Dispose()
        {
            _stream.Dispose();
            _tcp.Dispose();
        }

        private async Task<string> ReadToEndAsync()
        {
            var answer = new MemoryStream();
            byte[] buffer = new byte[4096];
            try
            {
                int read;
                while ((read = await _stream.ReadAsync(buffer)) > 0)
                {
                    answer.Write(buffer, 0, read);
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // Reset by the server, or given up by the test.
            }

            return Encoding.ASCII.GetString(answer.ToArray());
        }
    }

    /// <summary>
    /// A <c>concord serve --jwt-secret</c> allowing two realtime connections per user, a request head 2 seconds and a
    /// body at least 100 bytes a second after 2 seconds.
    /// </summary>
    public sealed class Server : IAsyncLifetime
    {
        private readonly TempDirectory _folder = new();

        public ServerProcess Process { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Process = await ServerProcess.StartAsync(_folder.File("connections.db"), null, new Uri("http://127.0.0.1:0"), [
                .. TestTokens.ServeArguments,
                $"--Concord:Realtime:MaxConnectionsPerUser={MaxConnections}",
                "--Kestrel:Limits:RequestHeadersTimeout=00:00:02",
                "--Kestrel:Limits:MinRequestBodyDataRate:BytesPerSecond=100",
                "--Kestrel:Limits:MinRequestBodyDataRate:GracePeriod=00:00:02",
            ]);

        public async Task DisposeAsync()
        {
            await Process.DisposeAsync();
            _folder.Dispose();
        }
    }
}

using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Concord.Testing;

/// <summary>
/// A plain WebSocket to a server's <c>{base}/ws</c>, speaking frames as raw text or bytes, so that tests see exactly
/// what goes over the wire. Every receive is bounded by a timeout.
/// </summary>
public sealed class RawWebSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;

    private RawWebSocket(ClientWebSocket socket) => _socket = socket;

    public WebSocket Socket => _socket;

    /// <summary>The <c>ws://</c> address of the WebSocket endpoint under a sync API base.</summary>
    public static Uri EndpointOf(Uri syncUri, string path = "ws") =>
        new UriBuilder(new Uri(syncUri, path)) { Scheme = syncUri.Scheme == "https" ? "wss" : "ws" }.Uri;

    public static Task<RawWebSocket> ConnectAsync(Uri syncUri, params string[] subprotocols) => ConnectToAsync(EndpointOf(syncUri), null, subprotocols);

    /// <summary>The WebSocket endpoint with an access token in the query string, as a browser must send it.</summary>
    public static Uri EndpointWithToken(Uri syncUri, string accessToken) =>
        new(EndpointOf(syncUri) + "?access_token=" + Uri.EscapeDataString(accessToken));

    /// <summary>Connects with an access token in the query string, as a browser must.</summary>
    public static Task<RawWebSocket> ConnectWithTokenAsync(Uri syncUri, string accessToken, params string[] subprotocols) =>
        ConnectToAsync(EndpointWithToken(syncUri, accessToken), null, subprotocols);

    /// <summary>Connects with an access token and a workspace in the query string, as a browser must.</summary>
    public static Task<RawWebSocket> ConnectToWorkspaceAsync(Uri syncUri, string accessToken, string workspace, params string[] subprotocols) =>
        ConnectToAsync(new Uri(EndpointWithToken(syncUri, accessToken) + "&workspace=" + Uri.EscapeDataString(workspace)), null, subprotocols);

    /// <summary>Connects with an access token in the upgrade's <c>Authorization</c> header, as a native client does.</summary>
    public static Task<RawWebSocket> ConnectWithBearerAsync(Uri syncUri, string accessToken, params string[] subprotocols) =>
        ConnectToAsync(EndpointOf(syncUri), o => o.SetRequestHeader("Authorization", "Bearer " + accessToken), subprotocols);

    /// <summary>Connects to <paramref name="endpoint"/>, with <paramref name="configure"/> setting headers such as <c>Origin</c>.</summary>
    public static async Task<RawWebSocket> ConnectToAsync(Uri endpoint, Action<ClientWebSocketOptions>? configure, params string[] subprotocols)
    {
        (RawWebSocket? socket, HttpStatusCode status) = await TryConnectAsync(endpoint, configure, subprotocols).ConfigureAwait(false);
        return socket ?? throw new WebSocketException(WebSocketError.NotAWebSocket, $"The server refused the upgrade with {(int)status}.");
    }

    /// <summary>Connects, or says with which HTTP status the server refused the upgrade.</summary>
    public static async Task<(RawWebSocket? Socket, HttpStatusCode Status)> TryConnectAsync(Uri endpoint, Action<ClientWebSocketOptions>? configure, params string[] subprotocols)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        foreach (string subprotocol in subprotocols)
        {
            socket.Options.AddSubProtocol(subprotocol);
        }

        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(Wait.DefaultTimeout);
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
        }
        catch (WebSocketException) when (socket.HttpStatusCode != 0)
        {
            HttpStatusCode refused = socket.HttpStatusCode;
            socket.Dispose();
            return (null, refused);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return (new RawWebSocket(socket), socket.HttpStatusCode);
    }

    public Task SendAsync(string json) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    public Task SendAsync(byte[] bytes) =>
        _socket.SendAsync(bytes, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

    /// <summary>The next message, or null when the server closed the connection.</summary>
    public async Task<(WebSocketMessageType Type, byte[] Bytes)?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Wait.DefaultTimeout);
        using var message = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                WebSocketReceiveResult result = await _socket.ReceiveAsync(buffer, cts.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    return (result.MessageType, message.ToArray());
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException("Timed out waiting for a WebSocket message.");
        }
    }

    /// <summary>The next text message, parsed.</summary>
    /// <exception cref="InvalidOperationException">The server closed the connection instead.</exception>
    public async Task<JsonElement> ReceiveJsonAsync(TimeSpan? timeout = null)
    {
        (WebSocketMessageType type, byte[] bytes) = await ReceiveAsync(timeout).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The server closed the connection: {_socket.CloseStatus} {_socket.CloseStatusDescription}");
        if (type != WebSocketMessageType.Text)
        {
            throw new InvalidOperationException($"Expected a text message, got {type}.");
        }

        return JsonDocument.Parse(bytes).RootElement.Clone();
    }

    /// <summary>Skips messages until one of <paramref name="type"/> comes.</summary>
    public async Task<JsonElement> ReceiveJsonAsync(string type, TimeSpan? timeout = null)
    {
        TimeSpan total = timeout ?? Wait.DefaultTimeout;
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            TimeSpan left = total - elapsed.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Timed out waiting for a {type} frame.");
            }

            JsonElement frame = await ReceiveJsonAsync(left).ConfigureAwait(false);
            if (frame.GetProperty("type").GetString() == type)
            {
                return frame;
            }
        }
    }

    /// <summary>Waits until the server closes the connection, and returns how it closed it.</summary>
    public async Task<WebSocketCloseStatus?> ClosedAsync(TimeSpan? timeout = null)
    {
        while (await ReceiveAsync(timeout).ConfigureAwait(false) is not null)
        {
        }

        return _socket.CloseStatus;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }

        _socket.Dispose();
    }
}

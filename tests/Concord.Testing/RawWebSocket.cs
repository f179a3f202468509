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

    public static Task<RawWebSocket> ConnectAsync(Uri syncUri, params string[] subprotocols) => ConnectToAsync(EndpointOf(syncUri), subprotocols);

    /// <summary>Connects with an access token in the query string, as a browser must.</summary>
    public static Task<RawWebSocket> ConnectWithTokenAsync(Uri syncUri, string accessToken, params string[] subprotocols) =>
        ConnectToAsync(new Uri(EndpointOf(syncUri) + "?access_token=" + Uri.EscapeDataString(accessToken)), subprotocols);

    /// <summary>Connects with an access token and a workspace in the query string, as a browser must.</summary>
    public static Task<RawWebSocket> ConnectToWorkspaceAsync(Uri syncUri, string accessToken, string workspace, params string[] subprotocols) =>
        ConnectToAsync(new Uri(EndpointOf(syncUri) + "?access_token=" + Uri.EscapeDataString(accessToken) + "&workspace=" + Uri.EscapeDataString(workspace)), subprotocols);

    /// <summary>Connects with an access token in the upgrade's <c>Authorization</c> header, as a native client does.</summary>
    public static Task<RawWebSocket> ConnectWithBearerAsync(Uri syncUri, string accessToken, params string[] subprotocols) =>
        ConnectToAsync(EndpointOf(syncUri), subprotocols, accessToken);

    private static async Task<RawWebSocket> ConnectToAsync(Uri endpoint, string[] subprotocols, string? bearer = null)
    {
        var socket = new ClientWebSocket();
        if (bearer is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + bearer);
        }

        foreach (string subprotocol in subprotocols)
        {
            socket.Options.AddSubProtocol(subprotocol);
        }

        using var timeout = new CancellationTokenSource(Wait.DefaultTimeout);
        await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
        return new RawWebSocket(socket);
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

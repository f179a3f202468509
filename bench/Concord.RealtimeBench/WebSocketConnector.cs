using System.Net.WebSockets;

namespace Concord.RealtimeBench;

/// <summary>Opens client WebSockets through one shared handler, so that 10,000 connects do not build 10,000 handlers.</summary>
internal sealed class WebSocketConnector : IDisposable
{
    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(30) });

    public async Task<ClientWebSocket> ConnectAsync(Uri uri, string? subprotocol, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        if (subprotocol is not null)
        {
            socket.Options.AddSubProtocol(subprotocol);
        }

        // Heartbeats are the protocols' own business; no extra control frames from this side.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            await socket.ConnectAsync(uri, _invoker, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _invoker.Dispose();
}

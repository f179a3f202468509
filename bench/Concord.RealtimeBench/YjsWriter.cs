using System.Net.WebSockets;

namespace Concord.RealtimeBench;

/// <summary>Sends the precomputed updates into the room. It hears its own updates back, as every room member does, and drops them.</summary>
internal sealed class YjsWriter : IWriter
{
    private readonly ClientWebSocket _socket;
    private readonly YjsUpdates _updates;
    private readonly Task _drain;

    private YjsWriter(ClientWebSocket socket, YjsUpdates updates)
    {
        _socket = socket;
        _updates = updates;
        _drain = WebSocketDrain.RunAsync(socket, static _ => { });
    }

    public long Refused => 0;

    public static async Task<YjsWriter> ConnectAsync(WebSocketConnector connector, Uri room, YjsUpdates updates, CancellationToken cancellationToken) =>
        new(await connector.ConnectAsync(room, null, cancellationToken).ConfigureAwait(false), updates);

    public ValueTask SendAsync(int write, CancellationToken cancellationToken) =>
        _socket.SendAsync(_updates.Sent[write].AsMemory(), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        await WebSocketDrain.EndedAsync(_drain).ConfigureAwait(false);
        _socket.Dispose();
    }
}

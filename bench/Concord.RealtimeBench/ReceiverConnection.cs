using System.Diagnostics;
using System.Net.WebSockets;

namespace Concord.RealtimeBench;

/// <summary>
/// One receiving client: a raw WebSocket whose loop reads whole messages and stamps each with the time its last
/// byte arrived, before anything is parsed. Subclasses speak their server's protocol.
/// </summary>
internal abstract class ReceiverConnection : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private byte[] _buffer = new byte[4096];
    private Task _loop = Task.CompletedTask;

    protected ReceiverConnection(ClientWebSocket socket, int index, DeliveryLog log)
    {
        Socket = socket;
        Index = index;
        Log = log;
    }

    public int Index { get; }

    protected ClientWebSocket Socket { get; }

    protected DeliveryLog Log { get; }

    /// <summary>Starts reading in the background, once the handshake is done.</summary>
    public void Start() => _loop = RunAsync(_stop.Token);

    /// <summary>Tells the server this client is alive, where its protocol asks clients to.</summary>
    public virtual ValueTask HeartbeatAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Socket.Abort();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // Aborted on purpose.
        }

        Socket.Dispose();
        _stop.Dispose();
    }

    /// <summary>Handles one message; <paramref name="arrived"/> is when its last byte came.</summary>
    protected abstract ValueTask OnMessageAsync(ReadOnlyMemory<byte> message, long arrived, CancellationToken cancellationToken);

    /// <summary>The next whole message, or null when the server closed the connection.</summary>
    protected async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken)
    {
        int filled = 0;
        while (true)
        {
            if (filled == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            ValueWebSocketReceiveResult result = await Socket.ReceiveAsync(_buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            filled += result.Count;
            if (result.EndOfMessage)
            {
                return _buffer.AsMemory(0, filled);
            }
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await ReceiveAsync(cancellationToken).ConfigureAwait(false) is { } message)
            {
                await OnMessageAsync(message, Stopwatch.GetTimestamp(), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // Counted below: a receiver the server dropped is what the run reports, not a reason to stop it.
        }

        if (!cancellationToken.IsCancellationRequested)
        {
            Log.Disconnected();
        }
    }
}

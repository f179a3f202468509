using System.Net.WebSockets;

namespace Concord.RealtimeBench;

/// <summary>
/// A y-websocket client reduced to receiving: it joins the room (the server sends it sync step 1, which it leaves
/// unanswered) and takes every update the room broadcasts. The room applies writes in order and sends each
/// connection its updates in that order, so the next broadcast is expected to be the next write's; a frame that is
/// not is looked for further on.
/// </summary>
internal sealed class YjsReceiver : ReceiverConnection
{
    private const int SearchAhead = 1000;

    private readonly YjsUpdates _updates;
    private int _next;

    private YjsReceiver(ClientWebSocket socket, int index, DeliveryLog log, YjsUpdates updates)
        : base(socket, index, log) => _updates = updates;

    /// <summary>Connects to the room and waits for the server's sync step 1, the end of the y-websocket handshake.</summary>
    public static async Task<YjsReceiver> ConnectAsync(WebSocketConnector connector, Uri room, int index, DeliveryLog log, YjsUpdates updates, CancellationToken cancellationToken)
    {
        ClientWebSocket socket = await connector.ConnectAsync(room, null, cancellationToken).ConfigureAwait(false);
        var receiver = new YjsReceiver(socket, index, log, updates);
        try
        {
            ReadOnlyMemory<byte> first = await receiver.ReceiveAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The Yjs server closed the connection before sync step 1.");
            if (!YjsSystem.IsSyncStep1(first.Span))
            {
                throw new InvalidOperationException("The Yjs server's first message was not sync step 1.");
            }

            receiver.Start();
            return receiver;
        }
        catch
        {
            await receiver.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    protected override ValueTask OnMessageAsync(ReadOnlyMemory<byte> message, long arrived, CancellationToken cancellationToken)
    {
        ReadOnlySpan<byte> bytes = message.Span;
        if (!YjsSystem.IsUpdate(bytes))
        {
            return ValueTask.CompletedTask;
        }

        byte[][] expected = _updates.Broadcast;
        for (int write = _next; write < Math.Min(expected.Length, _next + SearchAhead); write++)
        {
            if (bytes.SequenceEqual(expected[write]))
            {
                Log.Arrived(write, Index, arrived);
                _next = write + 1;
                return ValueTask.CompletedTask;
            }
        }

        Log.NotMatched();
        return ValueTask.CompletedTask;
    }
}

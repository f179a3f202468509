using System.Net.WebSockets;

namespace Concord.RealtimeBench;

/// <summary>Reads and hands on every message of a socket whose messages matter little, so that the server is never held up by it.</summary>
internal static class WebSocketDrain
{
    public static async Task RunAsync(ClientWebSocket socket, Action<ReadOnlyMemory<byte>> onMessage)
    {
        byte[] buffer = new byte[16 * 1024];
        int filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            ValueWebSocketReceiveResult result = await socket.ReceiveAsync(buffer.AsMemory(filled), CancellationToken.None).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            filled += result.Count;
            if (result.EndOfMessage)
            {
                onMessage(buffer.AsMemory(0, filled));
                filled = 0;
            }
        }
    }

    /// <summary>Waits for a drain loop whose socket was aborted.</summary>
    public static async Task EndedAsync(Task drain)
    {
        try
        {
            await drain.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Aborted on purpose.
        }
    }
}

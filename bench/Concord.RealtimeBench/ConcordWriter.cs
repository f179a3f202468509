using System.Net.WebSockets;
using System.Text;

namespace Concord.RealtimeBench;

/// <summary>
/// Pushes write i as one change, a put of record <c>w{i}</c> with <c>{"seq": i}</c> (the record a Yjs write sets),
/// over its own WebSocket. It never pulls, so the server pokes it after each commit; it reads those and the push
/// answers, and counts refusals.
/// </summary>
internal sealed class ConcordWriter : IWriter
{
    private const string ClientId = "writer";

    private readonly ClientWebSocket _socket;
    private readonly TimeProvider _time;
    private readonly Task _drain;
    private long _lastMilliseconds;
    private int _counter;
    private long _refused;

    private ConcordWriter(ClientWebSocket socket, TimeProvider time)
    {
        _socket = socket;
        _time = time;
        _drain = WebSocketDrain.RunAsync(socket, Check);
    }

    public long Refused => Interlocked.Read(ref _refused);

    public static async Task<ConcordWriter> ConnectAsync(WebSocketConnector connector, Uri endpoint, TimeProvider time, CancellationToken cancellationToken)
    {
        ClientWebSocket socket = await connector.ConnectAsync(endpoint, ConcordSystem.Subprotocol, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":"hello","protocolVersion":1,"clientId":"{{ClientId}}"}"""), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        return new ConcordWriter(socket, time);
    }

    public ValueTask SendAsync(int write, CancellationToken cancellationToken)
    {
        string frame = $$"""{"type":"push","id":{{write}},"clientId":"{{ClientId}}","changes":[{"opId":"op{{write}}","collection":"bench","id":"w{{write}}","kind":"put","fields":{"seq":{{write}}},"hlc":"{{NextHlc()}}"}]}""";
        return _socket.SendAsync(Encoding.UTF8.GetBytes(frame).AsMemory(), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        await WebSocketDrain.EndedAsync(_drain).ConfigureAwait(false);
        _socket.Dispose();
    }

    /// <summary>A clock reading of now, in wire form; the counter keeps readings of one millisecond apart.</summary>
    private string NextHlc()
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (now > _lastMilliseconds)
        {
            _lastMilliseconds = now;
            _counter = 0;
        }
        else
        {
            _counter++;
        }

        return $"{_lastMilliseconds:x12}{_counter:x4}-{ClientId}";
    }

    private void Check(ReadOnlyMemory<byte> message)
    {
        ReadOnlySpan<byte> frame = message.Span;
        if (frame.StartsWith("{\"type\":\"error\""u8) || frame.IndexOf("\"status\":\"rejected\""u8) >= 0)
        {
            Interlocked.Increment(ref _refused);
        }
    }
}

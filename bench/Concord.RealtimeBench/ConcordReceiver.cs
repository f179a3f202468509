using System.Buffers.Text;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Concord.RealtimeBench;

/// <summary>
/// A Concord realtime client reduced to receiving: <c>hello</c>, one <c>pull</c> to be caught up, then every
/// <c>changes</c> frame; when the server pokes instead (its backpressure), it pulls from its cursor as a client
/// does. A record <c>w{i}</c> is write i.
/// </summary>
internal sealed class ConcordReceiver : ReceiverConnection
{
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly List<int> _writes = [];
    private string? _cursor;
    private bool _pulling;
    private int _requests;

    private ConcordReceiver(ClientWebSocket socket, int index, DeliveryLog log)
        : base(socket, index, log)
    {
    }

    private enum FrameKind
    {
        Other,
        Changes,
        PullResult,
        Poke,
    }

    /// <summary>Connects, says hello and pulls until caught up; the receiver then gets every commit as it happens.</summary>
    public static async Task<ConcordReceiver> ConnectAsync(WebSocketConnector connector, Uri endpoint, int index, DeliveryLog log, CancellationToken cancellationToken)
    {
        ClientWebSocket socket = await connector.ConnectAsync(endpoint, ConcordSystem.Subprotocol, cancellationToken).ConfigureAwait(false);
        var receiver = new ConcordReceiver(socket, index, log);
        try
        {
            await receiver.SendAsync($$"""{"type":"hello","protocolVersion":1,"clientId":"receiver{{index}}"}""", cancellationToken).ConfigureAwait(false);
            await receiver.ExpectAsync("welcome", cancellationToken).ConfigureAwait(false);
            bool more = true;
            while (more)
            {
                await receiver.SendPullAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlyMemory<byte> answer = await receiver.ExpectAsync("pullResult", cancellationToken).ConfigureAwait(false);
                receiver.Read(answer.Span, out more);
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

    public override async ValueTask HeartbeatAsync(CancellationToken cancellationToken) =>
        await SendAsync($$"""{"type":"ping","id":{{Interlocked.Increment(ref _requests)}}}""", cancellationToken).ConfigureAwait(false);

    protected override async ValueTask OnMessageAsync(ReadOnlyMemory<byte> message, long arrived, CancellationToken cancellationToken)
    {
        FrameKind kind = Read(message.Span, out bool more);
        foreach (int write in _writes)
        {
            Log.Arrived(write, Index, arrived);
        }

        if (kind == FrameKind.PullResult)
        {
            _pulling = more;
            if (more)
            {
                await SendPullAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        else if (kind == FrameKind.Poke && !_pulling)
        {
            // Poked rather than sent the records: the server found this connection behind. Pull, as a client would.
            _pulling = true;
            Log.Pulled();
            await SendPullAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ReadOnlyMemory<byte>> ExpectAsync(string type, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> message = await ReceiveAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The server closed the connection before {type}.");
        using JsonDocument frame = JsonDocument.Parse(message);
        string? got = frame.RootElement.GetProperty("type").GetString();
        return got == type ? message : throw new InvalidOperationException($"Expected {type}, got {Encoding.UTF8.GetString(message.Span)}");
    }

    private ValueTask SendPullAsync(CancellationToken cancellationToken) =>
        SendAsync($$"""{"type":"pull","id":{{Interlocked.Increment(ref _requests)}},"cursor":{{(_cursor is null ? "null" : JsonSerializer.Serialize(_cursor))}}}""", cancellationToken);

    private async ValueTask SendAsync(string frame, CancellationToken cancellationToken)
    {
        // Pulls go from the receive loop and pings from the heartbeat: a WebSocket takes one send at a time.
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Reads a frame's type, the writes among its records (into <see cref="_writes"/>), its cursor and hasMore.</summary>
    private FrameKind Read(ReadOnlySpan<byte> json, out bool hasMore)
    {
        _writes.Clear();
        hasMore = false;
        FrameKind kind = FrameKind.Other;
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                kind = reader.ValueTextEquals("changes"u8) ? FrameKind.Changes
                    : reader.ValueTextEquals("pullResult"u8) ? FrameKind.PullResult
                    : reader.ValueTextEquals("poke"u8) ? FrameKind.Poke
                    : FrameKind.Other;
            }
            else if (reader.ValueTextEquals("records"u8))
            {
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadRecord(ref reader);
                }
            }
            else if (reader.ValueTextEquals("cursor"u8))
            {
                reader.Read();
                _cursor = reader.GetString();
            }
            else if (reader.ValueTextEquals("hasMore"u8))
            {
                reader.Read();
                hasMore = reader.GetBoolean();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return kind;
    }

    private void ReadRecord(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isId = reader.ValueTextEquals("id"u8);
            reader.Read();
            if (!isId)
            {
                reader.Skip();
                continue;
            }

            ReadOnlySpan<byte> id = reader.ValueSpan;
            if (id.Length > 1 && id[0] == (byte)'w' && Utf8Parser.TryParse(id[1..], out int write, out int used) && used == id.Length - 1)
            {
                _writes.Add(write);
            }
            else
            {
                Log.NotMatched();
            }
        }
    }
}

namespace Concord.RealtimeBench;

/// <summary>The y-websocket server (<c>@y/websocket-server</c>) in node, every client in one room.</summary>
internal sealed class YjsSystem(NodePackages node, YjsUpdates updates, WebSocketConnector connector) : IRealtimeSystem
{
    private const string Room = "bench";

    public string Name => "Yjs";

    public int MaxWrites => updates.Count;

    /// <summary>y-websocket: message type 0 (sync), then 0 (step 1), 1 (step 2) or 2 (update).</summary>
    public static bool IsSyncStep1(ReadOnlySpan<byte> message) => message.Length >= 2 && message[0] == 0 && message[1] == 0;

    public static bool IsUpdate(ReadOnlySpan<byte> message) => message.Length >= 2 && message[0] == 0 && message[1] == 2;

    public static Uri RoomOf(ServerUnderTest server, string room) =>
        new UriBuilder(new Uri(server.Root, room)) { Scheme = "ws" }.Uri;

    public Task<ServerUnderTest> StartServerAsync(CancellationToken cancellationToken) =>
        ServerUnderTest.StartAsync(["node", node.Script("yjs-server.mjs"), "127.0.0.1"], new Dictionary<string, string>(), cancellationToken);

    public async Task<ReceiverConnection> ConnectReceiverAsync(ServerUnderTest server, int index, DeliveryLog log, CancellationToken cancellationToken) =>
        await YjsReceiver.ConnectAsync(connector, RoomOf(server, Room), index, log, updates, cancellationToken).ConfigureAwait(false);

    public async Task<IWriter> ConnectWriterAsync(ServerUnderTest server, CancellationToken cancellationToken) =>
        await YjsWriter.ConnectAsync(connector, RoomOf(server, Room), updates, cancellationToken).ConfigureAwait(false);
}

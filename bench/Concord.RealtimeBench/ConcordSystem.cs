namespace Concord.RealtimeBench;

/// <summary><c>concord serve</c> as shipped, on a fresh SQLite file, with its realtime endpoint <c>{base}/ws</c> in JSON.</summary>
/// <param name="environment">Variables for the server process only (empty: as shipped).</param>
internal sealed class ConcordSystem(string folder, WebSocketConnector connector, IReadOnlyDictionary<string, string> environment) : IRealtimeSystem
{
    public const string Subprotocol = "concord.v1.json";

    private int _servers;

    public string Name => "Concord";

    public int MaxWrites => int.MaxValue;

    public static Uri Endpoint(ServerUnderTest server) =>
        new UriBuilder(new Uri(server.Root, "api/sync/ws")) { Scheme = "ws" }.Uri;

    public Task<ServerUnderTest> StartServerAsync(CancellationToken cancellationToken)
    {
        string database = Path.Combine(folder, $"concord-{Interlocked.Increment(ref _servers)}.db");
        return ServerUnderTest.StartAsync(["dotnet", Path.Combine(AppContext.BaseDirectory, "Concord.Cli.dll"), "serve", "--db", database, "--urls", "http://127.0.0.1:0"], environment, cancellationToken);
    }

    public async Task<ReceiverConnection> ConnectReceiverAsync(ServerUnderTest server, int index, DeliveryLog log, CancellationToken cancellationToken) =>
        await ConcordReceiver.ConnectAsync(connector, Endpoint(server), index, log, cancellationToken).ConfigureAwait(false);

    public async Task<IWriter> ConnectWriterAsync(ServerUnderTest server, CancellationToken cancellationToken) =>
        await ConcordWriter.ConnectAsync(connector, Endpoint(server), TimeProvider.System, cancellationToken).ConfigureAwait(false);
}

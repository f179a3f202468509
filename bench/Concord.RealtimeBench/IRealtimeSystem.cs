namespace Concord.RealtimeBench;

/// <summary>A realtime server measured by this tool, and how its clients connect, receive and write.</summary>
internal interface IRealtimeSystem
{
    string Name { get; }

    /// <summary>Most writes one run can make (Yjs: the updates made in advance).</summary>
    int MaxWrites { get; }

    /// <summary>Starts a fresh server process with nothing in it.</summary>
    Task<ServerUnderTest> StartServerAsync(CancellationToken cancellationToken);

    /// <summary>Connects a receiver and completes once it is handshaken and gets every write from then on.</summary>
    Task<ReceiverConnection> ConnectReceiverAsync(ServerUnderTest server, int index, DeliveryLog log, CancellationToken cancellationToken);

    Task<IWriter> ConnectWriterAsync(ServerUnderTest server, CancellationToken cancellationToken);
}

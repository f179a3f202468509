namespace Concord.RealtimeBench;

/// <summary>
/// The server's resident memory per idle connection: RSS after many handshaken connections that then stay silent
/// (but for heartbeats), minus RSS before them, divided by their number. One connection made beforehand creates
/// whatever the first one creates (the tenant's feed, the room) and runs the handshake code once.
/// </summary>
internal static class IdleMemoryScenario
{
    // Lets the server finish what each handshake left for later (freed buffers, the allocator's bookkeeping) before RSS is read.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    /// <param name="hold">How long to keep the connections open after measuring, for a look with other tools.</param>
    public static async Task<double> BytesPerConnectionAsync(IRealtimeSystem system, int connections, TimeSpan hold, CancellationToken cancellationToken)
    {
        var log = DeliveryLog.None(connections + 1);
        await using ServerUnderTest server = await system.StartServerAsync(cancellationToken).ConfigureAwait(false);
        await using ReceiverGroup first = await ReceiverGroup.ConnectAsync(system, server, 1, log, cancellationToken).ConfigureAwait(false);
        await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);
        long before = server.ResidentBytes;
        await using ReceiverGroup idle = await ReceiverGroup.ConnectAsync(system, server, connections, log, cancellationToken, firstIndex: 1).ConfigureAwait(false);
        await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);
        long after = server.ResidentBytes;
        if (log.Disconnects > 0)
        {
            throw new InvalidOperationException($"{system.Name}: {log.Disconnects} idle connections were closed by the server.\n{server.LastLines}");
        }

        if (hold > TimeSpan.Zero)
        {
            Console.WriteLine($"{system.Name}: holding {connections:N0} connections to process {server.ProcessId} for {hold.TotalSeconds:N0} s (RSS {after / 1048576.0:N1} MB, before them {before / 1048576.0:N1} MB)");
            await Task.Delay(hold, cancellationToken).ConfigureAwait(false);
        }

        return (double)(after - before) / connections;
    }
}

namespace Concord.RealtimeBench;

/// <summary>
/// Many receivers of one server, connected a few at a time, kept alive by their protocol's heartbeat while they are
/// held (a Concord server closes a WebSocket silent for two heartbeat intervals), and closed together.
/// </summary>
internal sealed class ReceiverGroup : IAsyncDisposable
{
    private const int ConnectingAtOnce = 32;

    // Within the server's 30-second heartbeat interval, with room to spare.
    private static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(20);

    private readonly ReceiverConnection?[] _receivers;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _heartbeat;

    private ReceiverGroup(int count)
    {
        _receivers = new ReceiverConnection?[count];
        _heartbeat = HeartbeatAsync(_stop.Token);
    }

    /// <summary>Connects <paramref name="count"/> receivers, numbered from <paramref name="firstIndex"/>, and returns once every one is handshaken.</summary>
    public static async Task<ReceiverGroup> ConnectAsync(IRealtimeSystem system, ServerUnderTest server, int count, DeliveryLog log, CancellationToken cancellationToken, int firstIndex = 0)
    {
        var group = new ReceiverGroup(count);
        try
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = ConnectingAtOnce, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, count), options, async (i, token) =>
                Volatile.Write(ref group._receivers[i], await system.ConnectReceiverAsync(server, firstIndex + i, log, token).ConfigureAwait(false))).ConfigureAwait(false);
            return group;
        }
        catch
        {
            await group.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _heartbeat.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped on purpose.
        }

        foreach (ReceiverConnection? receiver in _receivers)
        {
            if (receiver is not null)
            {
                await receiver.DisposeAsync().ConfigureAwait(false);
            }
        }

        _stop.Dispose();
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(HeartbeatEvery);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            for (int i = 0; i < _receivers.Length; i++)
            {
                if (Volatile.Read(ref _receivers[i]) is not { } receiver)
                {
                    continue;
                }

                try
                {
                    await receiver.HeartbeatAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or IOException or ObjectDisposedException)
                {
                    // Its receive loop counts the lost connection.
                }
            }
        }
    }
}

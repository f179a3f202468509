using System.Diagnostics;
using System.Threading.Channels;
using Concord.Client;

namespace Concord.RealtimeBench;

/// <summary>
/// Client to client through a fresh <c>concord serve</c>, through the client library: client A's <c>PutAsync</c> to
/// the moment client B's live query (<c>Observe</c>) has the new value. Both clients sync over a WebSocket only,
/// with polling off, so whatever arrives came in real time; they run in this process, one clock for both.
/// </summary>
internal static class ConcordClientLatency
{
    private const string Collection = "clients";
    private const string RecordId = "c";

    // The first change also waits for both clients to connect and catch up.
    private static readonly TimeSpan FirstArrival = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(10);

    public static async Task<LatencyFigures> MeasureAsync(IRealtimeSystem concord, string folder, BenchSettings settings, CancellationToken cancellationToken)
    {
        await using ServerUnderTest server = await concord.StartServerAsync(cancellationToken).ConfigureAwait(false);
        await using ConcordClient a = await OpenAsync(server, Path.Combine(folder, "client-a.db"), cancellationToken).ConfigureAwait(false);
        await using ConcordClient b = await OpenAsync(server, Path.Combine(folder, "client-b.db"), cancellationToken).ConfigureAwait(false);
        a.Start();
        b.Start();

        var arrivals = Channel.CreateUnbounded<(int Seq, long At)>(new UnboundedChannelOptions { SingleReader = true });
        using IDisposable watching = b.Collection<Change>(Collection).Observe(RecordId).Subscribe(change =>
        {
            if (change is not null)
            {
                arrivals.Writer.TryWrite((change.Seq, Stopwatch.GetTimestamp()));
            }
        });

        var changes = a.Collection<Change>(Collection);
        var latencies = new List<double>(settings.ClientChanges);
        for (int seq = 0; seq < 2 * settings.ClientChanges; seq++)
        {
            long started = Stopwatch.GetTimestamp();
            await changes.PutAsync(RecordId, new Change(seq), cancellationToken).ConfigureAwait(false);
            long arrived = await ArrivalOfAsync(arrivals.Reader, seq, seq == 0 ? FirstArrival : Arrival, cancellationToken).ConfigureAwait(false);
            if (seq >= settings.ClientChanges)
            {
                latencies.Add(Stopwatch.GetElapsedTime(started, arrived).TotalMilliseconds);
            }

            await Task.Delay(settings.MinWriteInterval, cancellationToken).ConfigureAwait(false);
        }

        return LatencyFigures.From(latencies.ToArray());
    }

    private static Task<ConcordClient> OpenAsync(ServerUnderTest server, string database, CancellationToken cancellationToken) =>
        ConcordClient.OpenAsync(
            new ConcordClientOptions
            {
                DatabasePath = database,
                ServerUrl = new Uri(server.Root, "api/sync/"),
                Transport = SyncTransportMode.WebSocket,
                PollInterval = TimeSpan.FromHours(1),
            },
            cancellationToken);

    /// <summary>When B's live query first showed <paramref name="seq"/>.</summary>
    private static async Task<long> ArrivalOfAsync(ChannelReader<(int Seq, long At)> arrivals, int seq, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                (int got, long at) = await arrivals.ReadAsync(deadline.Token).ConfigureAwait(false);
                if (got == seq)
                {
                    return at;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Change {seq} did not reach client B within {timeout.TotalSeconds:N0} s.");
        }
    }

    /// <summary>The record client A writes: the number of the change.</summary>
    private sealed record Change(int Seq);
}

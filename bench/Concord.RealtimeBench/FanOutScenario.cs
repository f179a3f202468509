using System.Diagnostics;

namespace Concord.RealtimeBench;

/// <summary>
/// One writer and N receivers on a fresh server: paced writes (warm-up, then measured: the latency of every
/// delivery and the server's CPU per delivery), then writes as fast as deliveries keep up (deliveries per second).
/// </summary>
internal static class FanOutScenario
{
    public static async Task<FanOutFigures> RunAsync(IRealtimeSystem system, int receivers, BenchSettings settings, CancellationToken cancellationToken)
    {
        int measuredFrom = settings.WarmupWritesFor(receivers);
        int measuredTo = measuredFrom + settings.MeasuredWrites(receivers);
        TimeSpan interval = settings.WriteInterval(receivers);
        int capacity = (int)Math.Min(system.MaxWrites, (long)measuredTo + settings.MaxSaturationWrites);
        var log = new DeliveryLog(receivers, capacity, measuredFrom, measuredTo, settings.SaturationWindow);
        await using ServerUnderTest server = await system.StartServerAsync(cancellationToken).ConfigureAwait(false);
        await using ReceiverGroup group = await ReceiverGroup.ConnectAsync(system, server, receivers, log, cancellationToken).ConfigureAwait(false);
        await using IWriter writer = await system.ConnectWriterAsync(server, cancellationToken).ConfigureAwait(false);

        await PacedAsync(writer, log, 0, measuredFrom, interval, cancellationToken).ConfigureAwait(false);
        await log.WhenCompletedAsync(measuredFrom, settings.DeliveryTimeout, cancellationToken).ConfigureAwait(false);
        double cpuBefore = server.CpuSeconds;
        double clientCpuBefore = ProcessReadings.CpuSeconds(Environment.ProcessId);
        await PacedAsync(writer, log, measuredFrom, measuredTo, interval, cancellationToken).ConfigureAwait(false);
        await log.WhenCompletedAsync(measuredTo, settings.DeliveryTimeout, cancellationToken).ConfigureAwait(false);
        double pacedCpu = server.CpuSeconds - cpuBefore;
        double pacedClientCpu = ProcessReadings.CpuSeconds(Environment.ProcessId) - clientCpuBefore;
        (double[] latencies, long missing) = log.Latencies();

        // Saturation: pipelined writes, as many in flight as the window allows; a write leaves the window once every
        // receiver has it, so the writer goes exactly as fast as the server delivers.
        double cpuAtStart = server.CpuSeconds;
        double clientCpuAtStart = ProcessReadings.CpuSeconds(Environment.ProcessId);
        long started = Stopwatch.GetTimestamp();
        int next = measuredTo;
        while (next < capacity && Stopwatch.GetElapsedTime(started) < settings.SaturationTime)
        {
            await log.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
            log.Sent(next, Stopwatch.GetTimestamp());
            await writer.SendAsync(next, cancellationToken).ConfigureAwait(false);
            next++;
        }

        await log.WhenCompletedAsync(next, settings.DeliveryTimeout, cancellationToken).ConfigureAwait(false);
        double saturationCpu = server.CpuSeconds - cpuAtStart;
        double wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        double clientCpu = ProcessReadings.CpuSeconds(Environment.ProcessId) - clientCpuAtStart;
        long saturationDeliveries = log.DeliveredOf(measuredTo, next);
        double deliverySeconds = Stopwatch.GetElapsedTime(started, log.LastArrival).TotalSeconds;
        return new FanOutFigures
        {
            Receivers = receivers,
            Latency = LatencyFigures.From(latencies),
            CpuMicrosecondsPerDelivery = pacedCpu * 1e6 / Math.Max(1, latencies.Length),
            ClientCpuMicrosecondsPerDelivery = pacedClientCpu * 1e6 / Math.Max(1, latencies.Length),
            SaturationDeliveriesPerSecond = saturationDeliveries / deliverySeconds,
            SaturationCpuMicrosecondsPerDelivery = saturationCpu * 1e6 / Math.Max(1, saturationDeliveries),
            SaturationCores = saturationCpu / wall,
            SaturationWrites = next - measuredTo,
            SaturationClientCores = clientCpu / wall,
            Interval = interval,
            MeasuredWrites = measuredTo - measuredFrom,
            Missing = missing,
            SaturationMissing = ((long)(next - measuredTo) * receivers) - saturationDeliveries,
            Unmatched = log.Unmatched,
            Pulls = log.Pulls,
            Disconnects = log.Disconnects,
            Refused = writer.Refused,
        };
    }

    /// <summary>Sends writes <paramref name="from"/> to <paramref name="to"/> one per interval, whatever each takes to send.</summary>
    private static async Task PacedAsync(IWriter writer, DeliveryLog log, int from, int to, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        for (int write = from; write < to; write++)
        {
            log.Sent(write, Stopwatch.GetTimestamp());
            await writer.SendAsync(write, cancellationToken).ConfigureAwait(false);
            await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}

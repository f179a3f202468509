namespace Concord.RealtimeBench;

/// <summary>What one fan-out run measured for one server and one number of receivers.</summary>
internal sealed record FanOutFigures
{
    public required int Receivers { get; init; }

    /// <summary>Every timed delivery of the paced writes.</summary>
    public required LatencyFigures Latency { get; init; }

    /// <summary>Server CPU (user + system) per delivery over the paced writes, in microseconds.</summary>
    public required double CpuMicrosecondsPerDelivery { get; init; }

    /// <summary>CPU of this process, the clients, per delivery over the paced writes, in microseconds.</summary>
    public required double ClientCpuMicrosecondsPerDelivery { get; init; }

    public required double SaturationDeliveriesPerSecond { get; init; }

    public required double SaturationCpuMicrosecondsPerDelivery { get; init; }

    /// <summary>Server CPU over wall time at saturation: 1.0 is one core busy all along.</summary>
    public required double SaturationCores { get; init; }

    public required int SaturationWrites { get; init; }

    /// <summary>CPU of this process, the clients, over wall time at saturation.</summary>
    public required double SaturationClientCores { get; init; }

    /// <summary>Time between two paced writes.</summary>
    public required TimeSpan Interval { get; init; }

    public required int MeasuredWrites { get; init; }

    /// <summary>Timed deliveries that did not arrive within the timeout.</summary>
    public required long Missing { get; init; }

    /// <summary>Saturation deliveries that did not arrive within the timeout.</summary>
    public required long SaturationMissing { get; init; }

    public required long Unmatched { get; init; }

    public required long Pulls { get; init; }

    public required long Disconnects { get; init; }

    public required long Refused { get; init; }

    /// <summary>Figures of a side that was left out of the run.</summary>
    public static FanOutFigures NotRun(int receivers)
    {
        var none = new LatencyFigures(double.NaN, double.NaN, double.NaN, double.NaN, 0);
        return new FanOutFigures
        {
            Receivers = receivers, Latency = none, CpuMicrosecondsPerDelivery = double.NaN, ClientCpuMicrosecondsPerDelivery = double.NaN, SaturationDeliveriesPerSecond = double.NaN,
            SaturationCpuMicrosecondsPerDelivery = double.NaN, SaturationCores = double.NaN, SaturationWrites = 0, SaturationClientCores = double.NaN, Interval = TimeSpan.Zero, MeasuredWrites = 0, Missing = 0,
            SaturationMissing = 0, Unmatched = 0, Pulls = 0, Disconnects = 0, Refused = 0,
        };
    }
}

namespace Concord.Server.Realtime;

/// <summary>Settings of the realtime endpoints (<c>GET {base}/ws</c> and <c>GET {base}/events</c>).</summary>
/// <example><code>
/// builder.Services.AddConcord(o => o.Realtime.HeartbeatInterval = TimeSpan.FromSeconds(15));
/// </code></example>
public sealed class RealtimeOptions
{
    /// <summary>
    /// How often a WebSocket client pings and an event stream gets a heartbeat comment; a WebSocket silent for two
    /// intervals is closed. 30 seconds by default.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Frames that may wait to be sent to one connection. Pokes coalesce and never count; a connection that lets
    /// this many answers and changes pile up is disconnected. 256 by default.
    /// </summary>
    public int MaxQueuedFrames { get; set; } = 256;

    /// <summary>
    /// Frames waiting beyond which a caught-up connection is poked (and pulls when it can) instead of being sent
    /// more records. 16 by default.
    /// </summary>
    public int ChangesBacklog { get; set; } = 16;

    /// <summary>How long one send may stay unfinished before the reader is disconnected as too slow. 30 seconds by default.</summary>
    public TimeSpan SlowReaderTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most records in one <c>changes</c> frame; beyond that, connections are poked and pull. 1,000 by default.</summary>
    public int MaxRecordsPerFrame { get; set; } = 1000;

    /// <summary>Largest WebSocket message a client may send, in bytes; null for the protocol's <c>maxBodyBytes</c>.</summary>
    public long? MaxMessageBytes { get; set; }

    /// <summary>
    /// WebSockets and event streams one user (one address on an open server) may hold open at once in this process;
    /// one more is refused before the upgrade with <c>429 SYNC:RATE_LIMITED</c> (<c>meta.limit</c>
    /// <c>maxConnectionsPerUser</c>). 64 by default.
    /// </summary>
    public int MaxConnectionsPerUser { get; set; } = 64;

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(HeartbeatInterval, TimeSpan.FromMilliseconds(10), nameof(HeartbeatInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedFrames, 1, nameof(MaxQueuedFrames));
        ArgumentOutOfRangeException.ThrowIfLessThan(ChangesBacklog, 0, nameof(ChangesBacklog));
        ArgumentOutOfRangeException.ThrowIfLessThan(SlowReaderTimeout, TimeSpan.FromMilliseconds(10), nameof(SlowReaderTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecordsPerFrame, 1, nameof(MaxRecordsPerFrame));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnectionsPerUser, 1, nameof(MaxConnectionsPerUser));
        if (MaxMessageBytes is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 1024, nameof(MaxMessageBytes));
        }
    }
}

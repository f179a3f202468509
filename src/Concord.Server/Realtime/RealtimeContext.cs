using Concord.Clock;
using Concord.Protocol;
using Concord.Protocol.Realtime;
using Concord.Server.Diagnostics;
using Concord.Server.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Concord.Server.Realtime;

/// <summary>What every realtime connection and feed shares: settings, clock, store, codecs, logs and metrics.</summary>
internal sealed class RealtimeContext(
    IOptions<ConcordServerOptions> options,
    TimeProvider time,
    HybridLogicalClock clock,
    ISyncStore store,
    ConcordServerMetrics metrics,
    ILoggerFactory loggerFactory)
{
    private long _lastConnectionId;

    public RealtimeOptions Options { get; } = options.Value.Realtime;

    public ProtocolLimits Limits { get; } = options.Value.Limits;

    public TimeProvider Time { get; } = time;

    public HybridLogicalClock Clock { get; } = clock;

    public ISyncStore Store { get; } = store;

    public ConcordServerMetrics Metrics { get; } = metrics;

    public ILogger Logger { get; } = loggerFactory.CreateLogger("Concord.Server.Realtime");

    public JsonFrameCodec Json { get; } = new(options.Value.Limits);

    public CborFrameCodec Cbor { get; } = new(options.Value.Limits);

    /// <summary>The collections with a <see cref="CollectionOptions.CanRead"/> rule: their records are read by each connection's own pull, never broadcast.</summary>
    public IReadOnlySet<string> ReadRuleCollections { get; } =
        options.Value.Collections.Values.Where(c => c.CanRead is not null).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);

    public long MaxMessageBytes => Options.MaxMessageBytes ?? Limits.MaxBodyBytes;

    public long NextConnectionId() => Interlocked.Increment(ref _lastConnectionId);

    public IRealtimeFrameCodec Codec(FrameFormat format) => format == FrameFormat.Cbor ? Cbor : Json;
}

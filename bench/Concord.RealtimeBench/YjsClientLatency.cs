using System.Globalization;
using System.Text.Json;

namespace Concord.RealtimeBench;

/// <summary>Client to client through a fresh y-websocket server: two Y.Docs with y-websocket's provider, run by node.</summary>
internal static class YjsClientLatency
{
    public static async Task<LatencyFigures> MeasureAsync(IRealtimeSystem yjs, NodePackages node, BenchSettings settings, CancellationToken cancellationToken)
    {
        await using ServerUnderTest server = await yjs.StartServerAsync(cancellationToken).ConfigureAwait(false);
        string url = new UriBuilder(server.Root) { Scheme = "ws" }.Uri.ToString().TrimEnd('/');
        string changes = settings.ClientChanges.ToString(CultureInfo.InvariantCulture);
        string interval = settings.MinWriteInterval.TotalMilliseconds.ToString(CultureInfo.InvariantCulture);
        string output = await Task.Run(() => node.RunScript("yjs-client-latency.mjs", url, changes, changes, interval), cancellationToken).ConfigureAwait(false);
        using JsonDocument result = JsonDocument.Parse(output);
        return LatencyFigures.From(result.RootElement.GetProperty("latencies").EnumerateArray().Select(l => l.GetDouble()).ToArray());
    }
}

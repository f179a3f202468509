using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Concord.Crdt.Text;

namespace Concord.RichTypesBench;

/// <summary>The Concord text type on an editing trace, measured like Yjs is in the node script.</summary>
internal sealed record TextMeasurements(double ApplyMs, int Bytes, double LoadMs, long MemoryBytes)
{
    public static TextMeasurements Run(string tracePath, int runs)
    {
        (List<(int Position, int Deleted, string Inserted)> patches, string end) = Load(tracePath);
        var applyTimes = new List<double>();
        ReplicatedText? document = null;
        for (int run = 0; run < runs; run++)
        {
            var watch = Stopwatch.StartNew();
            document = new ReplicatedText("bench");
            foreach ((int position, int deleted, string inserted) in patches)
            {
                // One edit at a time, as each patch is its own transaction in the trace.
                if (deleted > 0)
                {
                    document.Delete(position, deleted);
                }

                if (inserted.Length > 0)
                {
                    document.Insert(position, inserted);
                }
            }

            applyTimes.Add(watch.Elapsed.TotalMilliseconds);
            if (document.ToString() != end)
            {
                throw new InvalidOperationException("The text type did not reproduce the trace.");
            }
        }

        byte[] state = document!.EncodeState();
        document = null;
        var loadTimes = new List<double>();
        for (int run = 0; run < Math.Max(runs, 5); run++)
        {
            var watch = Stopwatch.StartNew();
            ReplicatedText loaded = ReplicatedText.Decode(state, "reader");
            _ = loaded.ToString();
            loadTimes.Add(watch.Elapsed.TotalMilliseconds);
        }

        long before = GC.GetTotalMemory(forceFullCollection: true);
        ReplicatedText kept = ReplicatedText.Decode(state, "reader");
        string text = kept.ToString();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        if (text != end)
        {
            throw new InvalidOperationException("The text type did not load its own state.");
        }

        GC.KeepAlive(kept);
        return new TextMeasurements(Median(applyTimes), state.Length, Median(loadTimes), after - before);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static (List<(int, int, string)>, string) Load(string path)
    {
        using FileStream file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using JsonDocument document = JsonDocument.Parse(gzip);
        var patches = new List<(int, int, string)>();
        foreach (JsonElement txn in document.RootElement.GetProperty("txns").EnumerateArray())
        {
            foreach (JsonElement patch in txn.GetProperty("patches").EnumerateArray())
            {
                patches.Add((patch[0].GetInt32(), patch[1].GetInt32(), patch[2].GetString()!));
            }
        }

        return (patches, document.RootElement.GetProperty("endContent").GetString()!);
    }
}

using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Concord.Clock;
using Concord.Records;
using Concord.Server.Storage;

namespace Concord.Benchmarks.Storage;

/// <summary>What a server store does to every record it writes: its fields as one JSON object, and its clock readings in stored form.</summary>
[MemoryDiagnoser]
public class StoredRecordBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private RecordState _record = null!;
    private Utf8JsonWriter _writer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var hlc = new HlcTimestamp(1_700_000_000_000, 0, "client-7f3a");
        _record = new RecordState(
            "todos",
            "0190f3a2-b4c1-7000-8000-000000000001",
            Enumerable.Range(0, 10).Select(i => new KeyValuePair<string, FieldState>($"field{i}", new FieldState(RawJsonValue.Parse($"\"value-{i}-abcdefghijklmnop\""), hlc, 42))),
            default,
            default,
            42);
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
    }

    [GlobalCleanup]
    public void Cleanup() => _writer.Dispose();

    [Benchmark(Baseline = true)]
    public int WriteFields10()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        RecordStateJson.WriteFields(_record, _writer);
        _writer.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public long SplitClocks10() => StoredClocks.Split(_record).CommonVersion;
}

using System.Buffers;
using BenchmarkDotNet.Attributes;
using Concord.Errors;
using Concord.Protocol;
using Concord.Protocol.Json;
using Concord.Records;

namespace Concord.Benchmarks.Codecs;

/// <summary>Encoding and decoding a push of 100 changes of ~300-byte, 10-field records.</summary>
[MemoryDiagnoser]
public class PushCodecBenchmarks
{
    private readonly JsonProtocolCodec _json = new(new ProtocolLimits());
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private PushRequest _push = null!;
    private byte[] _encoded = null!;

    [GlobalSetup]
    public void Setup()
    {
        _push = SampleMessages.Push(100);
        _encoded = _json.EncodeToArray(_push);
    }

    [Benchmark]
    public int EncodeJson()
    {
        _buffer.ResetWrittenCount();
        _json.Encode(_push, _buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public PushRequest DecodeJson()
    {
        _json.TryDecode(_encoded, out PushRequest? push, out SyncError? _);
        return push!;
    }
}

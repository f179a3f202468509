using System.Buffers;
using BenchmarkDotNet.Attributes;
using Concord.Protocol;
using Concord.Protocol.Cbor;
using Concord.Protocol.Json;

namespace Concord.Benchmarks.Codecs;

/// <summary>JSON against CBOR: encoding and decoding a 100-change push and a 1,000-record pull page.</summary>
[MemoryDiagnoser]
public class MessageCodecBenchmarks
{
    private readonly JsonProtocolCodec _json = new(new ProtocolLimits());
    private readonly CborProtocolCodec _cbor = new(new ProtocolLimits());
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 20);
    private object _message = null!;
    private byte[] _jsonBytes = null!;
    private byte[] _cborBytes = null!;

    [Params("push100", "pull1000")]
    public string Message { get; set; } = "push100";

    [GlobalSetup]
    public void Setup()
    {
        _message = Message == "push100" ? SampleMessages.Push(100) : SampleMessages.PullPage(1000);
        _jsonBytes = Encode(_json);
        _cborBytes = Encode(_cbor);
    }

    [Benchmark]
    public int JsonEncode() => Encode(_json).Length;

    [Benchmark]
    public int CborEncode() => Encode(_cbor).Length;

    [Benchmark]
    public object JsonDecode() => Decode(_json, _jsonBytes);

    [Benchmark]
    public object CborDecode() => Decode(_cbor, _cborBytes);

    /// <summary>The encoded sizes, for reports.</summary>
    public (int Json, int Cbor) Sizes()
    {
        Setup();
        return (_jsonBytes.Length, _cborBytes.Length);
    }

    private byte[] Encode(IProtocolCodec codec)
    {
        _buffer.ResetWrittenCount();
        if (_message is PushRequest push)
        {
            codec.Encode(push, _buffer);
        }
        else
        {
            codec.Encode((PullResponse)_message, _buffer);
        }

        return _buffer.WrittenSpan.ToArray();
    }

    private object Decode(IProtocolCodec codec, byte[] bytes) => _message is PushRequest
        ? (codec.TryDecode(bytes, out PushRequest? push, out _) ? push : throw new InvalidOperationException())
        : (codec.TryDecode(bytes, out PullResponse? page, out _) ? page : throw new InvalidOperationException());
}

using System.Formats.Cbor;
using Concord.Errors;
using Concord.Protocol;
using Concord.Protocol.Cbor;
using Concord.Protocol.Json;
using Concord.Records;

namespace Concord.Tests.Protocol;

/// <summary>JSON and CBOR accept exactly the same values, wherever a value sits in a message.</summary>
public sealed class CodecParityTests
{
    private const int MaxDepth = 4;
    private const string Hlc = "0190f3a2b4c10000-phone1";
    private static readonly ProtocolLimits Limits = new() { MaxNestingDepth = MaxDepth };

    public static TheoryData<string, string, int> PlacesCodecsAndDepths()
    {
        var data = new TheoryData<string, string, int>();
        foreach (string place in new[] { "push field", "push set value", "pulled field", "pulled set entry" })
        {
            foreach (string codec in new[] { "json", "cbor" })
            {
                foreach (int depth in new[] { 0, 1, MaxDepth - 1, MaxDepth, MaxDepth + 1, MaxDepth + 5 })
                {
                    data.Add(place, codec, depth);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PlacesCodecsAndDepths))]
    public void A_value_nested_up_to_the_limit_is_accepted_and_one_deeper_refused(string place, string codec, int depth)
    {
        // Arrays and objects alternate so that both kinds of container count.
        string value = "1";
        for (int i = 0; i < depth; i++)
        {
            value = i % 2 == 0 ? $"[{value}]" : $"{{\"k\":{value}}}";
        }

        IProtocolCodec protocol = Codec(codec);
        bool accepted = place switch
        {
            "push field" => Decodes(protocol, Push(fields: $"{{\"a\":{value}}}")),
            "push set value" => Decodes(protocol, Push(fields: null, setValue: value)),
            "pulled field" => Decodes(protocol, Page(fields: $"{{\"a\":{value}}}")),
            _ => Decodes(protocol, Page(fields: "{}", setEntry: value)),
        };

        Assert.Equal(depth <= MaxDepth, accepted);
    }

    [Theory]
    [InlineData(0UL, "-1")]
    [InlineData(9223372036854775807UL, "-9223372036854775808")]
    [InlineData(9223372036854775808UL, "-9223372036854775809")]
    [InlineData(ulong.MaxValue, "-18446744073709551616")]
    public void A_cbor_negative_integer_reads_as_the_json_number_whatever_its_size(ulong argument, string number)
    {
        byte[] cbor = CborPush(w => w.WriteCborNegativeIntegerRepresentation(argument));

        Assert.True(new CborProtocolCodec(Limits).TryDecode(cbor, out PushRequest? push, out SyncError? error), error?.Message);
        Assert.Equal($"{{\"n\":{number}}}", push.Changes[0].Fields.ToString());
        Assert.True(Decodes(new JsonProtocolCodec(Limits), Push($"{{\"n\":{number}}}")));
    }

    /// <summary>A push of one change whose fields are <c>{"n": value}</c>, with the value written by <paramref name="value"/>.</summary>
    private static byte[] CborPush(Action<CborWriter> value)
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteStartMap(2);
        writer.WriteUInt32(0);
        writer.WriteTextString("phone-1");
        writer.WriteUInt32(1);
        writer.WriteStartArray(1);
        writer.WriteStartMap(6);
        writer.WriteUInt32(0);
        writer.WriteTextString("op-1");
        writer.WriteUInt32(1);
        writer.WriteTextString("todos");
        writer.WriteUInt32(2);
        writer.WriteTextString("t1");
        writer.WriteUInt32(3);
        writer.WriteUInt32(1);
        writer.WriteUInt32(4);
        writer.WriteStartMap(1);
        writer.WriteTextString("n");
        value(writer);
        writer.WriteEndMap();
        writer.WriteUInt32(5);
        writer.WriteTextString(Hlc);
        writer.WriteEndMap();
        writer.WriteEndArray();
        writer.WriteEndMap();
        return writer.Encode();
    }

    private static IProtocolCodec Codec(string name) => name == "json" ? new JsonProtocolCodec(Limits) : new CborProtocolCodec(Limits);

    /// <summary>Encodes with <paramref name="codec"/> (encoders never check limits) and reports whether it decodes back.</summary>
    private static bool Decodes<T>(IProtocolCodec codec, T message)
        where T : class
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        codec.Encode(message, buffer);
        bool decoded = codec.TryDecode(buffer.WrittenMemory, out T? _, out SyncError? error);
        Assert.True(decoded || error!.Code == SyncErrorCodes.BadRequest);
        return decoded;
    }

    private static PushRequest Push(string? fields, string? setValue = null) => new()
    {
        ClientId = "phone-1",
        Changes =
        [
            new ChangeMessage
            {
                OpId = "op-1",
                Collection = "todos",
                Id = "t1",
                Kind = "patch",
                Fields = fields is null ? null : RawJsonValue.Parse(fields),
                Hlc = Hlc,
                Crdt = setValue is null ? null : new Dictionary<string, CrdtOperationMessage>
                {
                    ["tags"] = new() { Type = "set", Add = [RawJsonValue.Parse(setValue)] },
                },
            },
        ],
    };

    private static PullResponse Page(string fields, string? setEntry = null) => new()
    {
        Records =
        [
            new RecordMessage
            {
                Collection = "todos",
                Id = "t1",
                Fields = RawJsonValue.Parse(fields),
                Hlcs = RawJsonValue.Parse(fields == "{}" ? "{}" : $"{{\"a\":\"{Hlc}\"}}"),
                Deleted = null,
                Version = 1,
                Crdt = setEntry is null ? null : new Dictionary<string, CrdtStateMessage>
                {
                    ["tags"] = new() { Type = "set", Entries = [new SetEntryMessage { Value = RawJsonValue.Parse(setEntry), Tag = "op-1:0" }] },
                },
            },
        ],
        Cursor = "c1",
        HasMore = false,
        Hlc = Hlc,
    };
}

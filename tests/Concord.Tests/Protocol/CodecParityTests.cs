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

    public static TheoryData<string> Integers() =>
    [
        "0", "-0", "7", "-7", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
        "18446744073709551615", "-18446744073709551616", "18446744073709551616", "-18446744073709551617",
        "1000000000000000000000000000000", "-1000000000000000000000000000000", "340282366920938463463374607431768211456",
        "9" + new string('0', 999), "-" + new string('9', 1000),
    ];

    [Theory]
    [MemberData(nameof(Integers))]
    public void An_integer_from_json_comes_back_through_cbor_as_the_same_text(string integer)
    {
        var cbor = new CborProtocolCodec(Limits);
        string fields = $"{{\"n\":{integer},\"list\":[{integer},{{\"k\":{integer}}}]}}";

        Assert.True(cbor.TryDecode(cbor.EncodeToArray(Page(fields, setEntry: integer)), out PullResponse? page, out SyncError? error), error?.Message);
        Assert.True(cbor.TryDecode(cbor.EncodeToArray(Push(fields, setValue: integer)), out PushRequest? push, out error), error?.Message);

        Assert.Equal(fields, page.Records[0].Fields.ToString());
        Assert.Equal(integer, page.Records[0].Crdt!["tags"].Entries![0].Value.ToString());
        Assert.Equal(fields, push.Changes[0].Fields.ToString());
        Assert.Equal(integer, push.Changes[0].Crdt!["tags"].Add![0].ToString());
        Assert.True(Decodes(new JsonProtocolCodec(Limits), Page(fields, setEntry: integer)));
    }

    [Theory]
    [InlineData("18446744073709551615", "1bffffffffffffffff")]
    [InlineData("-18446744073709551616", "3bffffffffffffffff")]
    [InlineData("18446744073709551616", "c249010000000000000000")]
    [InlineData("-18446744073709551617", "c349010000000000000000")]
    [InlineData("-0", "f98000")]
    public void An_integer_is_a_cbor_integer_while_major_types_0_and_1_hold_it_and_a_bignum_beyond(string integer, string hex)
    {
        byte[] cbor = new CborProtocolCodec(Limits).EncodeToArray(Page("{\"n\":" + integer + "}"));

        Assert.Contains("616e" + hex, Convert.ToHexStringLower(cbor), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "", "0")]
    [InlineData(true, "", "-1")]
    [InlineData(false, "0001", "1")]
    [InlineData(true, "00", "-1")]
    [InlineData(false, "010000000000000000", "18446744073709551616")]
    [InlineData(true, "010000000000000000", "-18446744073709551617")]
    [InlineData(true, "ffffffffffffffff", "-18446744073709551616")]
    public void A_bignum_from_any_encoder_reads_as_its_json_digits(bool negative, string magnitude, string number)
    {
        byte[] cbor = CborPush(w =>
        {
            w.WriteTag(negative ? CborTag.NegativeBigNum : CborTag.UnsignedBigNum);
            w.WriteByteString(Convert.FromHexString(magnitude));
        });

        Assert.True(new CborProtocolCodec(Limits).TryDecode(cbor, out PushRequest? push, out SyncError? error), error?.Message);
        Assert.Equal($"{{\"n\":{number}}}", push.Changes[0].Fields.ToString());
    }

    [Theory]
    [InlineData(1000, true)]
    [InlineData(1001, false)]
    [InlineData(100_000, false)]
    public void Integers_of_up_to_1000_digits_are_accepted_by_both_codecs_and_longer_ones_refused(int digits, bool accepted)
    {
        string integer = "-" + new string('9', digits);
        var magnitude = System.Numerics.BigInteger.Parse(integer[1..], System.Globalization.CultureInfo.InvariantCulture) - 1;
        byte[] cbor = CborPush(w =>
        {
            w.WriteTag(CborTag.NegativeBigNum);
            w.WriteByteString(magnitude.ToByteArray(isUnsigned: true, isBigEndian: true));
        });

        Assert.Equal(accepted, new CborProtocolCodec(Limits).TryDecode(cbor, out PushRequest? _, out SyncError? _));
        Assert.Equal(accepted, new JsonProtocolCodec(Limits).TryDecode(System.Text.Encoding.UTF8.GetBytes(JsonPush($"{{\"n\":{integer}}}")), out PushRequest? _, out SyncError? _));
    }

    private static string JsonPush(string fields) =>
        $"{{\"clientId\":\"phone-1\",\"changes\":[{{\"opId\":\"op-1\",\"collection\":\"todos\",\"id\":\"t1\",\"kind\":\"patch\",\"fields\":{fields},\"hlc\":\"{Hlc}\"}}]}}";

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

using System.Formats.Cbor;
using Concord.Errors;
using Concord.Protocol;
using Concord.Protocol.Cbor;
using Concord.Protocol.Json;
using Concord.Records;
using CsCheck;

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

    [Theory]
    [InlineData("1.5", "0.1", "-2.5e-10", "1e30", "1E+30", "-0.0", "0.0", "1e-5", "0.10000000149011612")]
    [InlineData("1.7976931348623157e308", "-1.7976931348623157E+308", "2.2250738585072014e-308", "5e-324", "4.9e-324")]
    [InlineData("123456789012345678901234567890.5", "3.141592653589793238462643383279", "1.0", "100e-2", "-123.456e7")]
    public void A_non_integer_within_a_doubles_range_comes_back_through_cbor_as_the_same_double(params string[] numbers)
    {
        foreach (string number in numbers)
        {
            Assert.Equal(Bits(number), Bits(ThroughCbor(number)));
        }
    }

    [Fact]
    public void Any_finite_double_comes_back_through_cbor_as_the_same_double()
    {
        Gen.Double.Where(d => double.IsFinite(d)).Sample(value =>
        {
            string text = value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            return Bits(ThroughCbor(text)) == BitConverter.DoubleToInt64Bits(value);
        });
    }

    [Theory]
    [InlineData("1.5e400", "15e399", "c48219018f0f")]
    [InlineData("-1e400", "-1e400", "c48219019020")]
    [InlineData("1e-400", "1e-400", "c48239018f01")]
    [InlineData("2.50e-400", "250e-402", "c48239019118fa")]
    [InlineData("1e9223372036854775807", "1e9223372036854775807", "c4821b7fffffffffffffff01")]
    [InlineData("-1e-9223372036854775808", "-1e-9223372036854775808", "c4823b7fffffffffffffff20")]
    [InlineData("123456789012345678901.5e400", "1234567890123456789015e399", "c48219018fc249")]
    public void A_number_beyond_a_doubles_range_travels_as_a_decimal_fraction_of_the_same_value(string number, string back, string hex)
    {
        byte[] cbor = new CborProtocolCodec(Limits).EncodeToArray(Page("{\"n\":" + number + "}"));

        Assert.Contains("616e" + hex, Convert.ToHexStringLower(cbor), StringComparison.Ordinal);
        Assert.Equal(back, ThroughCbor(number));
        Assert.True(Decodes(new JsonProtocolCodec(Limits), Page($"{{\"n\":{back}}}")));
    }

    [Theory]
    [InlineData(-2L, "3039", "12345e-2")]
    [InlineData(0L, "00", "0e0")]
    [InlineData(long.MinValue, "ff", "255e-9223372036854775808")]
    public void A_decimal_fraction_from_any_encoder_reads_as_mantissa_e_exponent(long exponent, string bigNumMagnitude, string number)
    {
        byte[] cbor = CborPush(w =>
        {
            w.WriteTag(CborTag.DecimalFraction);
            w.WriteStartArray(2);
            w.WriteInt64(exponent);
            w.WriteTag(CborTag.UnsignedBigNum);
            w.WriteByteString(Convert.FromHexString(bigNumMagnitude));
            w.WriteEndArray();
        });

        Assert.True(new CborProtocolCodec(Limits).TryDecode(cbor, out PushRequest? push, out SyncError? error), error?.Message);
        Assert.Equal($"{{\"n\":{number}}}", push.Changes[0].Fields.ToString());
        Assert.True(Decodes(new JsonProtocolCodec(Limits), Push($"{{\"n\":{number}}}")));
    }

    [Fact]
    public void An_exponent_beyond_64_bits_is_refused_by_both_codecs()
    {
        byte[] cbor = CborPush(w =>
        {
            w.WriteTag(CborTag.DecimalFraction);
            w.WriteStartArray(2);
            w.WriteCborNegativeIntegerRepresentation(9223372036854775808UL);
            w.WriteInt32(1);
            w.WriteEndArray();
        });

        Assert.False(new CborProtocolCodec(Limits).TryDecode(cbor, out PushRequest? _, out SyncError? _));
        Assert.False(new JsonProtocolCodec(Limits).TryDecode(System.Text.Encoding.UTF8.GetBytes(JsonPush("{\"n\":1e-9223372036854775809}")), out PushRequest? _, out SyncError? _));
        Assert.False(new JsonProtocolCodec(Limits).TryDecode(System.Text.Encoding.UTF8.GetBytes(JsonPush("{\"n\":1.5e-9223372036854775808}")), out PushRequest? _, out SyncError? _));
        Assert.False(new JsonProtocolCodec(Limits).TryDecode(System.Text.Encoding.UTF8.GetBytes(JsonPush("{\"n\":1e99999999999999999999}")), out PushRequest? _, out SyncError? _));
    }

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"\\udc00\"")]
    [InlineData("\"a\\ud800b\"")]
    [InlineData("\"\\ud800\\u0041\"")]
    [InlineData("\"\\ud800\\n\"")]
    [InlineData("\"\\udc00\\ud800\"")]
    [InlineData("\"\\ud800\\ud800\\udc00\"")]
    [InlineData("[\"ok\",\"\\ud800\"]")]
    [InlineData("{\"\\ud800\":1}")]
    public void A_string_escaping_half_a_surrogate_pair_is_refused_by_json_as_cbor_text_cannot_hold_it(string value)
    {
        Assert.False(Decodes(new JsonProtocolCodec(Limits), Push($"{{\"a\":{value}}}")));
        Assert.False(Decodes(new JsonProtocolCodec(Limits), Push(fields: "{}", setValue: value)));
        Assert.False(Decodes(new JsonProtocolCodec(Limits), Page(fields: "{}", setEntry: value)));
    }

    [Fact]
    public void A_field_name_escaping_half_a_surrogate_pair_is_refused_by_json()
    {
        Assert.False(Decodes(new JsonProtocolCodec(Limits), Push("{\"a\\udbff\":1}")));
    }

    [Fact]
    public void A_string_that_is_not_utf8_is_refused_by_both_codecs()
    {
        byte[] json = [.. "{\"clientId\":\"phone-1\",\"changes\":[{\"opId\":\"op-1\",\"collection\":\"todos\",\"id\":\"t1\",\"kind\":\"patch\",\"fields\":{\"a\":[\"x"u8, 0xED, 0xA0, 0x80, .. "\"]},\"hlc\":\"0190f3a2b4c10000-phone1\"}]}"u8];
        byte[] cbor = CborPush(w => w.WriteEncodedValue(new byte[] { 0x64, (byte)'x', 0xED, 0xA0, 0x80 }));

        Assert.False(new JsonProtocolCodec(Limits).TryDecode(json, out PushRequest? _, out SyncError? _));
        Assert.False(new CborProtocolCodec(Limits).TryDecode(cbor, out PushRequest? _, out SyncError? _));
    }

    [Theory]
    [InlineData("\"\\ud83d\\ude00 \\\" \\\\ \\n \\u0000\"", "\"😀 \\\" \\\\ \\u000a \\u0000\"")]
    [InlineData("\"\\u00e9t\\u00e9\"", "\"été\"")]
    public void Escaped_unicode_is_accepted_by_both_codecs_and_comes_back_as_the_same_string(string value, string back)
    {
        Assert.True(Decodes(new JsonProtocolCodec(Limits), Push($"{{\"a\":{value}}}")));
        Assert.Equal(back, ThroughCbor(value));
    }

    [Fact]
    public void A_long_string_comes_back_through_cbor_unchanged()
    {
        string text = string.Concat(Enumerable.Range(0, 20_000).Select(i => i % 7 == 0 ? "\"é\n\ud83d\ude00" : "abcde"));

        string back = ThroughCbor(System.Text.Json.JsonSerializer.Serialize(text));

        Assert.Equal(text, System.Text.Json.JsonSerializer.Deserialize<string>(back));
    }

    [Theory]
    [InlineData("f93e00", "1.5")]
    [InlineData("f98000", "-0")]
    [InlineData("f90001", "5.960464477539063E-08")]
    [InlineData("fa3dcccccd", "0.10000000149011612")]
    [InlineData("fb7fefffffffffffff", "1.7976931348623157E+308")]
    public void A_cbor_float_of_any_width_reads_as_the_json_text_of_its_exact_value(string hex, string number)
    {
        byte[] cbor = CborPush(w => w.WriteEncodedValue(Convert.FromHexString(hex)));

        Assert.True(new CborProtocolCodec(Limits).TryDecode(cbor, out PushRequest? push, out SyncError? error), error?.Message);
        Assert.Equal($"{{\"n\":{number}}}", push.Changes[0].Fields.ToString());
        Assert.True(Decodes(new JsonProtocolCodec(Limits), Push($"{{\"n\":{number}}}")));
    }

    [Theory]
    [InlineData("f97c00")]
    [InlineData("f9fc00")]
    [InlineData("f97e00")]
    [InlineData("fa7fc00000")]
    [InlineData("fb7ff0000000000000")]
    public void A_cbor_infinity_or_nan_is_refused_as_json_has_none(string hex)
    {
        Assert.False(new CborProtocolCodec(Limits).TryDecode(CborPush(w => w.WriteEncodedValue(Convert.FromHexString(hex))), out PushRequest? _, out SyncError? _));
    }

    [Theory]
    [InlineData("a10101")]
    [InlineData("a1f401")]
    [InlineData("a1416101")]
    [InlineData("4161")]
    [InlineData("f7")]
    [InlineData("c074323031332d30332d32315432303a30343a30305a")]
    public void A_cbor_item_json_cannot_say_is_refused(string hex)
    {
        Assert.False(new CborProtocolCodec(Limits).TryDecode(CborPush(w => w.WriteEncodedValue(Convert.FromHexString(hex))), out PushRequest? _, out SyncError? _));
    }

    [Fact]
    public void Repeated_member_names_inside_a_value_pass_in_both_codecs_alike()
    {
        const string Fields = "{\"a\":{\"k\":1,\"k\":2}}";
        byte[] cbor = CborPush(w => w.WriteEncodedValue(Convert.FromHexString("a2616b01616b02")));

        Assert.True(new CborProtocolCodec(Limits).TryDecode(cbor, out PushRequest? push, out SyncError? error), error?.Message);
        Assert.Equal("{\"n\":{\"k\":1,\"k\":2}}", push.Changes[0].Fields.ToString());
        Assert.True(Decodes(new JsonProtocolCodec(Limits), Push(Fields)));
        Assert.Equal(Fields, ThroughCborPush(Fields));
    }

    private static string ThroughCborPush(string fields)
    {
        var cbor = new CborProtocolCodec(Limits);
        Assert.True(cbor.TryDecode(cbor.EncodeToArray(Push(fields)), out PushRequest? push, out SyncError? error), error?.Message);
        return push.Changes[0].Fields.ToString()!;
    }

    /// <summary>A number as a pulled field, encoded in CBOR and decoded back to its JSON text.</summary>
    private static string ThroughCbor(string number)
    {
        var cbor = new CborProtocolCodec(Limits);
        Assert.True(cbor.TryDecode(cbor.EncodeToArray(Page($"{{\"n\":{number}}}")), out PullResponse? page, out SyncError? error), error?.Message);
        string fields = page.Records[0].Fields.ToString();
        return fields["{\"n\":".Length..^1];
    }

    private static long Bits(string number) => BitConverter.DoubleToInt64Bits(double.Parse(number, System.Globalization.CultureInfo.InvariantCulture));

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

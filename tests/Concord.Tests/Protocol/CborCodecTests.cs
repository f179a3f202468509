using System.Formats.Cbor;
using Concord.Errors;
using Concord.Protocol;
using Concord.Protocol.Cbor;
using Concord.Protocol.Json;
using Concord.Records;
using CsCheck;

namespace Concord.Tests.Protocol;

public sealed class CborCodecTests
{
    private static readonly ProtocolLimits Limits = new() { MaxNestingDepth = 4 };
    private readonly CborProtocolCodec _cbor = new(Limits);
    private readonly JsonProtocolCodec _json = new(Limits);

    private static PushRequest SamplePush() => new()
    {
        ClientId = "phone-1",
        Changes =
        [
            new ChangeMessage
            {
                OpId = "0190f3a2-b4c1-7000-8000-000000000001",
                Collection = "todos",
                Id = "0190f3a2-b4c1-7000-8000-00000000000a",
                Kind = "put",
                Fields = RawJsonValue.Parse("{\"title\":\"Buy milk\",\"done\":false,\"n\":-3,\"x\":1.5,\"tags\":[\"a\",null,{\"k\":true}],\"big\":18446744073709551615}"),
                Hlc = "0190f3a2b4c10000-phone1",
            },
            new ChangeMessage
            {
                OpId = "op-2",
                Collection = "todos",
                Id = "not-a-uuid",
                Kind = "explode",
                Hlc = "garbage",
                BaseVersion = 7,
                Crdt = new Dictionary<string, CrdtOperationMessage>
                {
                    ["likes"] = new() { Type = "counter", Delta = -2 },
                    ["tags"] = new() { Type = "set", Add = [RawJsonValue.Parse("\"x\"")], Remove = ["op-1:0"] },
                    ["body"] = new() { Type = "text", Update = [1, 2, 3] },
                },
            },
        ],
    };

    [Fact]
    public void Every_hot_message_round_trips_to_the_same_json()
    {
        AssertRoundTrip(SamplePush());
        AssertRoundTrip(new PushResponse
        {
            Results =
            [
                new ChangeResultMessage { OpId = "a", Status = ChangeStatus.Applied, Version = 4 },
                new ChangeResultMessage { OpId = "b", Status = ChangeStatus.Duplicate, Version = 2 },
                new ChangeResultMessage { OpId = "c", Status = ChangeStatus.Rejected, Error = ErrorBody.From(SyncError.Create(SyncErrorCodes.ClockDrift, "ahead", new Dictionary<string, object> { ["aheadMs"] = 5L })) },
            ],
            Hlc = "01a2094624370000-server",
        });
        AssertRoundTrip(new PullRequest { Cursor = null, Limit = 10, Collections = ["todos", "notes"], Deltas = true });
        AssertRoundTrip(new PullRequest { Cursor = "AdTECVTPb1RNjUCdiCuYEhCTO1veAAAAAAAAAANBOOgp" });
        AssertRoundTrip(new PullResponse
        {
            Records =
            [
                new RecordMessage
                {
                    Collection = "todos",
                    Id = "t1",
                    Fields = RawJsonValue.Parse("{\"done\":true,\"likes\":3}"),
                    Hlcs = RawJsonValue.Parse("{\"done\":\"0190f3a2b4c20000-phone1\",\"likes\":\"0190f3a2b4c20001-laptop\"}"),
                    Deleted = null,
                    Version = 3,
                    Crdt = new Dictionary<string, CrdtStateMessage>
                    {
                        ["likes"] = new() { Type = "counter", P = new Dictionary<string, long> { ["laptop"] = 3 }, N = new Dictionary<string, long>() },
                        ["tags"] = new() { Type = "set", Entries = [new SetEntryMessage { Value = RawJsonValue.Parse("\"x\""), Tag = "op:0" }] },
                        ["body"] = new() { Type = "text", Delta = [9, 9] },
                    },
                },
                new RecordMessage { Collection = "todos", Id = "t2", Fields = RawJsonValue.Parse("{}"), Hlcs = RawJsonValue.Parse("{}"), Deleted = "0190f3a2b4c30000-laptop", Version = 4 },
                new RecordMessage
                {
                    // A text field's reading with no value (a delta pull), and members in another order than their readings.
                    Collection = "posts",
                    Id = "p1",
                    Fields = RawJsonValue.Parse("{\"title\":\"t\",\"likes\":2}"),
                    Hlcs = RawJsonValue.Parse("{\"body\":\"0190f3a2b4c50000-phone1\",\"likes\":\"0190f3a2b4c60000-laptop\",\"title\":\"0190f3a2b4c50000-phone1\"}"),
                    Deleted = null,
                    Version = 9,
                },
            ],
            Cursor = "AdTECVTPb1RNjUCdiCuYEhCTO1veAAAAAAAAAANBOOgp",
            HasMore = false,
            Hlc = "01a2094624370000-server",
        });
        AssertRoundTrip(new ErrorResponse { Error = ErrorBody.From(SyncError.BadRequest("no", new Dictionary<string, object> { ["field"] = "cursor" })) });
        AssertRoundTrip(new StatsResponse { Records = 1, Tenants = 2, CurrentVersion = 3, AppliedOps = 4 });
    }

    [Fact]
    public void Cbor_is_much_smaller_than_json_for_a_push()
    {
        PushRequest push = SamplePush();
        Assert.True(_cbor.EncodeToArray(push).Length < 0.7 * _json.EncodeToArray(push).Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ff")]
    [InlineData("a1")]
    [InlineData("d90100a1")]
    [InlineData("82")]
    [InlineData("a20065706e6f6e6501")]
    [InlineData("a2006770686f6e652d31018000")]
    [InlineData("a1006770686f6e652d31")]
    [InlineData("a100d819182a")]
    [InlineData("a1006361c328")]
    [InlineData("a10063616263a1006361")]
    [InlineData("a1189a00")]
    public void Malformed_truncated_or_mistyped_cbor_is_a_bad_request(string hex)
    {
        Assert.False(_cbor.TryDecode(Convert.FromHexString(hex), out PushRequest? _, out SyncError? error));
        Assert.Equal(SyncErrorCodes.BadRequest, error.Code);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused_even_with_indefinite_lengths()
    {
        foreach (bool indefinite in new[] { false, true })
        {
            var writer = new CborWriter(CborConformanceMode.Lax);
            writer.WriteStartMap(2);
            writer.WriteUInt32(0);
            writer.WriteTextString("c1");
            writer.WriteUInt32(1);
            writer.WriteStartArray(1);
            writer.WriteStartMap(5);
            writer.WriteUInt32(0);
            writer.WriteTextString("op");
            writer.WriteUInt32(1);
            writer.WriteTextString("todos");
            writer.WriteUInt32(2);
            writer.WriteTextString("r");
            writer.WriteUInt32(3);
            writer.WriteUInt32(0);
            writer.WriteUInt32(4);
            writer.WriteStartMap(1);
            writer.WriteTextString("deep");
            for (int i = 0; i < 50; i++)
            {
                writer.WriteStartArray(indefinite ? null : 1);
            }

            writer.WriteInt32(1);
            for (int i = 0; i < 50; i++)
            {
                writer.WriteEndArray();
            }

            writer.WriteEndMap();
            writer.WriteEndMap();
            writer.WriteEndArray();
            writer.WriteEndMap();

            Assert.False(_cbor.TryDecode(writer.Encode(), out PushRequest? _, out SyncError? error));
            Assert.Equal(SyncErrorCodes.BadRequest, error.Code);
        }
    }

    [Fact]
    public void A_declared_length_far_beyond_the_input_fails_fast_without_allocating_it()
    {
        // A map then an array that claims 2^32 items and ends at once.
        byte[] hostile = Convert.FromHexString("a2006263310" + "19b00000000");
        Assert.False(_cbor.TryDecode(hostile, out PushRequest? _, out SyncError? error));
        Assert.Equal(SyncErrorCodes.BadRequest, error.Code);
    }

    [Fact]
    public void Random_bytes_never_escape_as_an_exception()
    {
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            bool ok = _cbor.TryDecode(bytes, out PushRequest? _, out SyncError? error) || error!.Code == SyncErrorCodes.BadRequest;
            ok &= _cbor.TryDecode(bytes, out PullResponse? _, out error) || error!.Code == SyncErrorCodes.BadRequest;
            return ok;
        });
    }

    [Fact]
    public void Mutations_of_a_valid_message_never_escape_as_an_exception()
    {
        byte[] valid = _cbor.EncodeToArray(SamplePush());
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte, Gen.Int[0, valid.Length]).Sample((at, value, cut) =>
        {
            byte[] mutated = valid[..cut];
            if (at < mutated.Length)
            {
                mutated[at] = value;
            }

            return _cbor.TryDecode(mutated, out PushRequest? _, out SyncError? error) || error!.Code == SyncErrorCodes.BadRequest;
        });
    }

    private void AssertRoundTrip<T>(T message)
        where T : class
    {
        byte[] cbor = _cbor.EncodeToArray(message);
        Assert.True(_cbor.TryDecode(cbor, out T? decoded, out SyncError? error), error?.Message);
        Assert.Equal(Normalize(_json.EncodeToArray(message)), Normalize(_json.EncodeToArray(decoded)));
    }

    /// <summary>CBOR carries numbers by value, so 1.50 and 1.5 are the same; compare parsed JSON.</summary>
    private static string Normalize(byte[] json) => System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonDocument.Parse(json).RootElement);
}

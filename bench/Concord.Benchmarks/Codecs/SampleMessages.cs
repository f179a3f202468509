using System.Text;
using Concord.Clock;
using Concord.Protocol;
using Concord.Records;

namespace Concord.Benchmarks.Codecs;

/// <summary>Realistic messages: records of 10 fields and about 300 bytes, UUIDv7 ids.</summary>
public static class SampleMessages
{
    public static PushRequest Push(int changes)
    {
        var clock = new HybridLogicalClock("bench-client");
        return new PushRequest
        {
            ClientId = "bench-client",
            Changes = Enumerable.Range(0, changes).Select(i => new ChangeMessage
            {
                OpId = Guid.CreateVersion7().ToString("N"),
                Collection = "todos",
                Id = Guid.CreateVersion7().ToString(),
                Kind = "put",
                Fields = Record(i),
                Hlc = clock.Now().ToString(),
            }).ToArray(),
        };
    }

    /// <summary>A pull page of <paramref name="records"/> records as the server sends them.</summary>
    public static PullResponse PullPage(int records)
    {
        var clock = new HybridLogicalClock("bench-server");
        return new PullResponse
        {
            Records = Enumerable.Range(0, records).Select(i =>
            {
                string hlc = clock.Now().ToString();
                RawJsonValue fields = Record(i);
                var names = new Dictionary<string, RawJsonValue>();
                JsonObjectFields.TrySplit(fields, names, out _);
                return new RecordMessage
                {
                    Collection = "todos",
                    Id = Guid.CreateVersion7().ToString(),
                    Fields = fields,
                    Hlcs = RawJsonValue.Parse("{" + string.Join(',', names.Keys.Select(k => $"\"{k}\":\"{hlc}\"")) + "}"),
                    Deleted = null,
                    Version = i + 1,
                };
            }).ToArray(),
            Cursor = "AdTECVTPb1RNjUCdiCuYEhCTO1veAAAAAAAAAANBOOgp",
            HasMore = true,
            Hlc = clock.Now().ToString(),
        };
    }

    /// <summary>A 10-field record of about 300 bytes of JSON.</summary>
    public static RawJsonValue Record(int i) => RawJsonValue.FromValidatedUtf8(Encoding.UTF8.GetBytes(
        $$"""{"title":"Task number {{i,6}} to be done soon","body":"Some longer text that describes the task in a sentence or two.","done":{{(i % 2 == 0 ? "true" : "false")}},"priority":{{i % 5}},"tags":["home","errand"],"owner":"user-{{i % 97,4}}@example.com","created":"2026-11-23T10:00:00Z","updated":"2026-11-23T11:{{i % 60:D2}}:00Z","score":{{i % 1000}}.25,"category":"personal"}"""));
}

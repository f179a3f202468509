using System.Text;
using Concord.Clock;
using Concord.Protocol;
using Concord.Protocol.Json;
using Concord.Records;

namespace Concord.LoadTest;

/// <summary>The rows every scenario writes: 10 fields, about 300 bytes, UUIDv7 (or v4) ids.</summary>
public static class Workload
{
    public static string NewId(bool timeOrdered) => (timeOrdered ? Guid.CreateVersion7() : Guid.NewGuid()).ToString();

    public static string RecordJson(int i) =>
        $$"""{"title":"Task number {{i,7}} to be done soon","body":"Some longer text that describes the task in a sentence or two.","done":{{(i % 2 == 0 ? "true" : "false")}},"priority":{{i % 5}},"tags":["home","errand"],"owner":"user-{{i % 97,4}}@example.com","created":"2026-11-23T10:00:00Z","updated":"2026-11-23T11:{{i % 60:D2}}:00Z","score":{{i % 1000}}.25,"category":"personal"}""";

    /// <summary>Pre-encoded push bodies, so that the client side costs nothing while the server is measured.</summary>
    public static List<byte[]> PushBodies(int batches, int batchSize, bool timeOrdered, string clientId)
    {
        var codec = new JsonProtocolCodec(new ProtocolLimits());
        var clock = new HybridLogicalClock(clientId);
        var bodies = new List<byte[]>(batches);
        int n = 0;
        for (int b = 0; b < batches; b++)
        {
            var changes = new ChangeMessage[batchSize];
            for (int i = 0; i < batchSize; i++, n++)
            {
                changes[i] = new ChangeMessage
                {
                    OpId = Guid.CreateVersion7().ToString("N"),
                    Collection = "bench",
                    Id = NewId(timeOrdered),
                    Kind = "put",
                    Fields = RawJsonValue.FromValidatedUtf8(Encoding.UTF8.GetBytes(RecordJson(n))),
                    Hlc = clock.Now().ToString(),
                };
            }

            bodies.Add(codec.EncodeToArray(new PushRequest { ClientId = clientId, Changes = changes }));
        }

        return bodies;
    }
}

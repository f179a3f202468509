using System.Text;
using System.Text.Json;
using Concord.Client.Local;
using Concord.Client.Outbox;
using Concord.Clock;
using Concord.Protocol;
using Concord.Records;
using Concord.Testing;

namespace Concord.Client.Tests;

/// <summary>
/// The base of a pulled record keeps one clock reading when all its fields share it, and is rebuilt with
/// that reading on every field: local changes rebase onto it exactly as onto the per-field map.
/// </summary>
public sealed class StoredReadingsTests : IDisposable
{
    private static readonly HlcTimestamp Older = new(1_000_000, 0, "me");
    private static readonly HlcTimestamp Server = new(2_000_000, 0, "them");
    private static readonly HlcTimestamp Newer = new(3_000_000, 0, "me");
    private static readonly HlcTimestamp Newest = new(4_000_000, 0, "me");

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_record_whose_fields_share_one_reading_keeps_only_that_reading()
    {
        RecordMessage record = Record("""{"done":false,"tags":["a",{"b":1}],"title":"milk"}""", $$"""{"done":"{{Server}}","tags":"{{Server}}","title":"{{Server}}"}""");

        Assert.Equal(Server.ToString(), Encoding.UTF8.GetString(BaseRecord.StoredReadings(record)));
    }

    [Theory]
    [InlineData("""{"a":1,"b":2}""", """{"a":"R","b":"S"}""")] // readings differ
    [InlineData("""{"a":1,"b":2}""", """{"a":"R"}""")] // a field without a reading
    [InlineData("""{"a":1}""", """{"a":"R","b":"R"}""")] // a reading without a field
    [InlineData("""{"a":1,"b":2}""", """{"b":"R","a":"R"}""")] // another order
    [InlineData("""{"a\u0062":1}""", """{"ab":"R"}""")] // names spelled differently
    [InlineData("""{}""", """{}""")] // a tombstone
    public void Any_other_record_keeps_its_map(string fields, string hlcs)
    {
        RecordMessage record = Record(fields, hlcs.Replace("\"R\"", $"\"{Server}\"", StringComparison.Ordinal).Replace("\"S\"", $"\"{Newer}\"", StringComparison.Ordinal));

        Assert.Equal(record.Hlcs.Utf8.ToArray(), BaseRecord.StoredReadings(record).ToArray());
    }

    [Fact]
    public void A_record_with_crdt_fields_keeps_its_map()
    {
        var record = new RecordMessage
        {
            Collection = "posts",
            Id = "p1",
            Fields = RawJsonValue.Parse("""{"likes":3}"""),
            Hlcs = RawJsonValue.Parse($$"""{"likes":"{{Server}}"}"""),
            Deleted = null,
            Version = 1,
            Crdt = new Dictionary<string, CrdtStateMessage>(),
        };

        Assert.Equal(record.Hlcs.Utf8.ToArray(), BaseRecord.StoredReadings(record).ToArray());
    }

    [Fact]
    public void The_one_reading_is_rebuilt_on_every_field()
    {
        byte[] fields = Encoding.UTF8.GetBytes("""{"done":false,"title":"milk"}""");
        byte[] map = Encoding.UTF8.GetBytes($$"""{"done":"{{Server}}","title":"{{Server}}"}""");

        RecordState fromMap = BaseRecord.Build("todos", "t1", fields, map, null, null, "me");
        RecordState fromOne = BaseRecord.Build("todos", "t1", fields, Encoding.UTF8.GetBytes(Server.ToString()), null, null, "me");

        Assert.True(fromMap.SameContentAs(fromOne));
        Assert.All(fromOne.Fields.Values, f => Assert.Equal(Server, f.Hlc));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Pending_changes_rebase_onto_a_pulled_base_by_each_field_reading(bool oneReading)
    {
        await using LocalStore store = await LocalStore.OpenAsync(_folder.File($"rebase-{oneReading}.db"), () => "me", CancellationToken.None);
        string doneReading = (oneReading ? Server : Older).ToString();
        await store.ApplyPageAsync(
            new PullResponse
            {
                Records = [Record("""{"done":false,"title":"milk"}""", $$"""{"done":"{{doneReading}}","title":"{{Server}}"}""")],
                Cursor = "c1",
                HasMore = false,
                Hlc = Server.ToString(),
            },
            CancellationToken.None);

        // Older than the server's title: loses. Newer than the done flag: wins. The last one is refused, so the view is rebuilt from the base.
        await WriteAsync(store, "op1", """{"title":"stale"}""", Older);
        await WriteAsync(store, "op2", """{"done":true}""", Newer);
        await WriteAsync(store, "op3", """{"title":"refused"}""", Newest);
        IReadOnlyList<OutboxEntry> sent = await store.TakeBatchAsync(10, CancellationToken.None);
        await store.ApplyPushResultsAsync([sent[2]], [new ChangeResultMessage { OpId = "op3", Status = ChangeStatus.Rejected }], CancellationToken.None);

        using JsonDocument view = JsonDocument.Parse((await store.ReadViewAsync("todos", "t1", CancellationToken.None))!);
        Assert.Equal("milk", view.RootElement.GetProperty("title").GetString());
        Assert.True(view.RootElement.GetProperty("done").GetBoolean());
    }

    private static Task WriteAsync(LocalStore store, string opId, string patch, HlcTimestamp at) =>
        store.WriteAsync(opId, "todos", "t1", ChangeKind.Patch, RawJsonValue.Parse(patch), null, () => at, CancellationToken.None);

    private static RecordMessage Record(string fields, string hlcs) => new()
    {
        Collection = "todos",
        Id = "t1",
        Fields = RawJsonValue.Parse(fields),
        Hlcs = RawJsonValue.Parse(hlcs),
        Deleted = null,
        Version = 1,
    };
}

using System.Text.Json;
using Concord.Client.Local;
using Concord.Client.Outbox;
using Concord.Clock;
using Concord.Protocol;
using Concord.Records;
using Concord.Testing;

namespace Concord.Client.Tests;

/// <summary>The local store on its own, fed pages and push results as a sync round would.</summary>
public sealed class LocalStoreTests : IAsyncLifetime
{
    private static readonly HlcTimestamp Server = new(2_000_000, 0, "them");
    private static readonly HlcTimestamp Local = new(3_000_000, 0, "me");

    private readonly TempDirectory _folder = new();
    private LocalStore _store = null!;

    public async Task InitializeAsync() => _store = await LocalStore.OpenAsync(_folder.File("local.db"), () => "me", CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_page_that_fails_halfway_leaves_the_outbox_as_it_was()
    {
        await WriteAsync("op-a", "a", "mine");
        await WriteAsync("op-b", "b", "mine too");
        IReadOnlyList<OutboxEntry> sent = await _store.TakeBatchAsync(10, CancellationToken.None);
        await _store.ApplyPushResultsAsync(sent, [Applied("op-a", 5), Applied("op-b", 6)], CancellationToken.None);

        // "a" comes back with its acknowledged change, which leaves the outbox; then "b" fails the page.
        RecordMessage broken = Record("b", 1, "old");
        broken.Deleted = "not a clock reading";
        await Assert.ThrowsAsync<FormatException>(() => _store.ApplyPageAsync(Page(Record("a", 5, "mine"), broken), CancellationToken.None));

        // The entry of "a" is still there: its change is still seen, even over an older state of the record.
        RecordState working = await _store.ReadWorkingAsync("todos", "a", CancellationToken.None);
        Assert.Equal("\"mine\"", working.Fields["title"].Value.ToString());
        await _store.ApplyPageAsync(Page(Record("a", 4, "old")), CancellationToken.None);
        Assert.Equal("mine", TitleOf(await _store.ReadViewAsync("todos", "a", CancellationToken.None)));
    }

    private Task WriteAsync(string opId, string id, string title) =>
        _store.WriteAsync(opId, "todos", id, ChangeKind.Patch, RawJsonValue.Parse($$"""{"title":"{{title}}"}"""), null, () => Local, CancellationToken.None);

    private static string? TitleOf(string? view)
    {
        using JsonDocument document = JsonDocument.Parse(view!);
        return document.RootElement.GetProperty("title").GetString();
    }

    private static ChangeResultMessage Applied(string opId, long version) => new() { OpId = opId, Status = ChangeStatus.Applied, Version = version };

    private static PullResponse Page(params RecordMessage[] records) => new() { Records = records, Cursor = "c", HasMore = false, Hlc = Server.ToString() };

    private static RecordMessage Record(string id, long version, string title) => new()
    {
        Collection = "todos",
        Id = id,
        Fields = RawJsonValue.Parse($$"""{"title":"{{title}}"}"""),
        Hlcs = RawJsonValue.Parse($$"""{"title":"{{Server}}"}"""),
        Deleted = null,
        Version = version,
    };
}

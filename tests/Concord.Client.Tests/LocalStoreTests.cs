using System.Text.Json;
using Concord.Client.Local;
using Concord.Client.Outbox;
using Concord.Clock;
using Concord.Errors;
using Concord.Protocol;
using Concord.Records;
using Concord.Testing;

namespace Concord.Client.Tests;

/// <summary>
/// The local store fed pages and push results as a sync round would: what it keeps after a failed page, and
/// which records each committed write tells <see cref="LocalStore.ViewChanged"/> about.
/// </summary>
public sealed class LocalStoreTests : IAsyncLifetime
{
    private static readonly HlcTimestamp Server = new(2_000_000, 0, "them");
    private static readonly HlcTimestamp Local = new(3_000_000, 0, "me");

    private readonly TempDirectory _folder = new();
    private readonly List<ViewChanges> _reported = [];
    private LocalStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await LocalStore.OpenAsync(_folder.File("local.db"), () => "me", CancellationToken.None);
        _store.ViewChanged += (changes, _) => _reported.Add(changes);
    }

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
        _reported.Clear();
        await Assert.ThrowsAsync<FormatException>(() => _store.ApplyPageAsync(Page(Record("a", 5, "mine"), broken), CancellationToken.None));

        // The entry of "a" is still there: its change is still seen, even over an older state of the record.
        Assert.Empty(_reported);
        RecordState working = await _store.ReadWorkingAsync("todos", "a", CancellationToken.None);
        Assert.Equal("\"mine\"", working.Fields["title"].Value.ToString());
        await _store.ApplyPageAsync(Page(Record("a", 4, "old")), CancellationToken.None);
        Assert.Equal("mine", TitleOf(await _store.ReadViewAsync("todos", "a", CancellationToken.None)));
    }

    [Fact]
    public async Task A_local_write_reports_its_record_with_a_reader_of_the_state_it_committed()
    {
        string? seen = null;
        _store.ViewChanged += (_, reader) => seen = reader.Read("todos", "a");

        await WriteAsync("op-a", "a", "mine");

        Assert.Equal([("todos", "a")], Assert.Single(_reported));
        Assert.Equal("mine", TitleOf(seen));
    }

    [Fact]
    public async Task A_pulled_page_reports_every_record_in_it_and_nothing_else()
    {
        await WriteAsync("op-a", "a", "mine");
        await WriteAsync("op-c", "c", "not pulled");
        _reported.Clear();

        await _store.ApplyPageAsync(Page(Record("a", 1, "old"), Record("b", 2, "theirs")), CancellationToken.None);

        ViewChanges page = Assert.Single(_reported);
        Assert.Equal([("todos", "a"), ("todos", "b")], page.Order());
        Assert.Equal(["todos"], page.Collections);
    }

    [Fact]
    public async Task A_rejected_change_reports_the_record_it_rolls_back_and_an_acknowledged_one_nothing()
    {
        await WriteAsync("op-a", "a", "accepted");
        await WriteAsync("op-b", "b", "refused");
        IReadOnlyList<OutboxEntry> sent = await _store.TakeBatchAsync(10, CancellationToken.None);
        _reported.Clear();

        await _store.ApplyPushResultsAsync([sent[0]], [Applied("op-a", 1)], CancellationToken.None);
        Assert.Empty(_reported);

        await _store.ApplyPushResultsAsync([sent[1]], [new ChangeResultMessage { OpId = "op-b", Status = ChangeStatus.Rejected }], CancellationToken.None);
        Assert.Equal([("todos", "b")], Assert.Single(_reported));
        Assert.Null(await _store.ReadViewAsync("todos", "b", CancellationToken.None));
    }

    [Fact]
    public async Task A_dropped_change_reports_its_record()
    {
        await WriteAsync("op-a", "a", "too large");
        IReadOnlyList<OutboxEntry> sent = await _store.TakeBatchAsync(10, CancellationToken.None);
        _reported.Clear();

        await _store.DropAsync(sent[0], SyncError.InvalidChange("too large"), CancellationToken.None);

        Assert.Equal([("todos", "a")], Assert.Single(_reported));
    }

    [Fact]
    public async Task The_last_page_of_a_resync_reports_the_records_the_server_no_longer_has()
    {
        await _store.ApplyPageAsync(Page(Record("kept", 1, "x"), Record("gone", 2, "y")), CancellationToken.None);
        await _store.BeginResyncAsync(CancellationToken.None);
        _reported.Clear();

        await _store.ApplyPageAsync(Page(Record("kept", 3, "x")), CancellationToken.None);

        Assert.Equal([("todos", "gone"), ("todos", "kept")], Assert.Single(_reported).Order());
        Assert.Null(await _store.ReadViewAsync("todos", "gone", CancellationToken.None));
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

using System.Collections.Concurrent;
using Concord.Errors;
using Concord.Protocol;
using Concord.Records;
using Concord.Server.Merging;
using Concord.Server.Storage;
using Xunit;
using static Concord.Testing.Changes;

namespace Concord.Testing;

/// <summary>
/// Every behaviour a store must have. A store's test class inherits this and supplies
/// <see cref="OpenStoreAsync"/>; a store that cannot pass a test overrides it and says why.
/// </summary>
public abstract class SyncStoreConformanceTests : IAsyncLifetime
{
    private readonly List<ISyncStore> _opened = [];

    protected static readonly IChangeMerger Lww = new LastWriterWinsMerger();

    /// <summary>Opens and initializes the store called <paramref name="name"/>; the same name reopens the same data.</summary>
    protected abstract Task<ISyncStore> CreateStoreAsync(string name);

    /// <summary>Closes a store so that it can be reopened.</summary>
    protected abstract ValueTask CloseStoreAsync(ISyncStore store);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (ISyncStore store in _opened)
        {
            await CloseStoreAsync(store);
        }
    }

    protected async Task<ISyncStore> OpenStoreAsync(string name = "main")
    {
        ISyncStore store = await CreateStoreAsync(name);
        _opened.Add(store);
        return store;
    }

    [Fact]
    public async Task Applied_changes_get_contiguous_versions()
    {
        ISyncStore store = await OpenStoreAsync();
        IReadOnlyList<ChangeOutcome> first = await store.ApplyAsync("t", [Put("a", new { x = 1 }, Hlc(1)), Put("b", new { x = 2 }, Hlc(2))], Lww);
        IReadOnlyList<ChangeOutcome> second = await store.ApplyAsync("t", [Patch("a", new { y = 3 }, Hlc(3))], Lww);

        Assert.Equal([1L, 2L], first.Select(o => o.Version));
        Assert.All(first, o => Assert.Equal(ChangeStatus.Applied, o.Status));
        Assert.Equal(3, second[0].Version);
        Assert.Equal(3, (await store.ReadMetadataAsync("t")).CurrentVersion);
    }

    [Fact]
    public async Task Replayed_op_id_answers_the_version_it_was_first_applied_at()
    {
        ISyncStore store = await OpenStoreAsync();
        Change put = Put("a", new { x = 1 }, Hlc(1), opId: "op-1");
        await store.ApplyAsync("t", [put], Lww);
        await store.ApplyAsync("t", [Patch("a", new { x = 2 }, Hlc(2))], Lww);

        IReadOnlyList<ChangeOutcome> replay = await store.ApplyAsync("t", [put, Put("b", new { }, Hlc(3), opId: "op-2"), Put("b", new { }, Hlc(3), opId: "op-2")], Lww);

        Assert.Equal(ChangeOutcome.Duplicate(1), replay[0]);
        Assert.Equal(ChangeOutcome.Applied(3), replay[1]);
        Assert.Equal(ChangeOutcome.Duplicate(3), replay[2]);
        StoreMetadata meta = await store.ReadMetadataAsync("t");
        Assert.Equal(3, meta.CurrentVersion);
        Assert.Equal(3, meta.AppliedOps);
        RecordMessage a = await ReadOneAsync(store, "t", "a");
        Assert.Equal("{\"x\":2}", a.Fields.ToString());
    }

    [Fact]
    public async Task Pages_are_coalesced_in_version_order_and_include_tombstones()
    {
        ISyncStore store = await OpenStoreAsync();
        await store.ApplyAsync("t", [Put("a", new { n = 1 }, Hlc(1)), Put("b", new { n = 1 }, Hlc(2))], Lww);
        await store.ApplyAsync("t", [Patch("a", new { n = 2 }, Hlc(3)), Patch("a", new { n = 3 }, Hlc(4)), Delete("b", Hlc(5))], Lww);

        RecordPage page = await store.ReadPageAsync("t", new PageRequest(0, 100, null));

        Assert.Equal(["a", "b"], page.Records.Select(r => r.Id));
        Assert.Equal([4L, 5L], page.Records.Select(r => r.Version));
        Assert.Equal("{\"n\":3}", page.Records[0].Fields.ToString());
        Assert.Null(page.Records[0].Deleted);
        Assert.Equal(Hlc(5).ToString(), page.Records[1].Deleted);
        Assert.Equal("{}", page.Records[1].Fields.ToString());
        Assert.False(page.HasMore);
        Assert.Equal(5, page.SnapshotVersion);
        Assert.Equal(Hlc(5), page.MaxHlc);
    }

    [Fact]
    public async Task Each_field_comes_back_with_the_clock_reading_of_its_own_write()
    {
        ISyncStore store = await OpenStoreAsync();
        var fields = new Dictionary<string, object> { ["a"] = 1, ["b"] = 2, ["c\"q"] = 3, ["é"] = 4 };
        await store.ApplyAsync("t", [Put("r", fields, Hlc(1, "n1"))], Lww);
        await store.ApplyAsync("t", [Patch("r", new Dictionary<string, object> { ["b"] = 20, ["é"] = 40 }, Hlc(2, "n2"))], Lww);
        await store.ApplyAsync("t", [Patch("r", new { z = 9 }, Hlc(3, "n3"))], Lww);

        RecordMessage record = await ReadOneAsync(store, "t", "r");
        using var hlcs = System.Text.Json.JsonDocument.Parse(record.Hlcs.ToString());
        var byField = hlcs.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());

        Assert.Equal(
            new Dictionary<string, string?> { ["a"] = Hlc(1, "n1").ToString(), ["b"] = Hlc(2, "n2").ToString(), ["c\"q"] = Hlc(1, "n1").ToString(), ["é"] = Hlc(2, "n2").ToString(), ["z"] = Hlc(3, "n3").ToString() },
            byField);

        // And the merge still sees each field's own reading after the round trip through storage.
        await store.ApplyAsync("t", [Patch("r", new { a = 100, b = 200 }, Hlc(1, "n9"))], Lww);
        using var after = System.Text.Json.JsonDocument.Parse((await ReadOneAsync(store, "t", "r")).Fields.ToString());
        Assert.Equal(100, after.RootElement.GetProperty("a").GetInt32());
        Assert.Equal(20, after.RootElement.GetProperty("b").GetInt32());
    }

    [Fact]
    public async Task Pages_split_by_limit_and_resume_after_the_last_version()
    {
        ISyncStore store = await OpenStoreAsync();
        await store.ApplyAsync("t", Enumerable.Range(0, 7).Select(i => Put($"r{i}", new { i }, Hlc(i + 1))).ToArray(), Lww);

        var seen = new List<string>();
        long after = 0;
        RecordPage page;
        do
        {
            page = await store.ReadPageAsync("t", new PageRequest(after, 3, null));
            seen.AddRange(page.Records.Select(r => r.Id));
            after = page.Records.Count > 0 ? page.Records[^1].Version : after;
        }
        while (page.HasMore);

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"r{i}"), seen);
    }

    [Fact]
    public async Task Pages_can_be_limited_to_collections()
    {
        ISyncStore store = await OpenStoreAsync();
        await store.ApplyAsync("t", [Put("a", new { }, Hlc(1), "todos"), Put("b", new { }, Hlc(2), "notes"), Put("c", new { }, Hlc(3), "tags")], Lww);

        RecordPage page = await store.ReadPageAsync("t", new PageRequest(0, 10, ["notes", "tags"]));

        Assert.Equal(["b", "c"], page.Records.Select(r => r.Id));
    }

    [Fact]
    public async Task Tenants_see_only_their_own_records_versions_and_ops()
    {
        ISyncStore store = await OpenStoreAsync();
        await store.ApplyAsync("alpha", [Put("a", new { secret = 1 }, Hlc(1), opId: "shared-op")], Lww);
        IReadOnlyList<ChangeOutcome> beta = await store.ApplyAsync("beta", [Put("a", new { other = 2 }, Hlc(2), opId: "shared-op")], Lww);

        Assert.Equal(ChangeOutcome.Applied(1), beta[0]);
        RecordPage alpha = await store.ReadPageAsync("alpha", new PageRequest(0, 10, null));
        RecordPage betaPage = await store.ReadPageAsync("beta", new PageRequest(0, 10, null));
        Assert.Equal("{\"secret\":1}", Assert.Single(alpha.Records).Fields.ToString());
        Assert.Equal("{\"other\":2}", Assert.Single(betaPage.Records).Fields.ToString());
        Assert.Equal(2, (await store.ReadMetadataAsync("beta")).Tenants);
        Assert.Empty((await store.ReadPageAsync("gamma", new PageRequest(0, 10, null))).Records);
    }

    [Fact]
    public async Task A_rejected_change_takes_no_version_and_leaves_the_record()
    {
        ISyncStore store = await OpenStoreAsync();
        await store.ApplyAsync("t", [Put("a", new { x = 1 }, Hlc(1))], Lww);
        var rejectPatches = new DelegateMerger((current, change) => change.Kind == ChangeKind.Patch
            ? MergeDecision.Reject(SyncError.InvalidChange("no patches"))
            : Lww.Merge(current, change));

        IReadOnlyList<ChangeOutcome> outcomes = await store.ApplyAsync("t", [Patch("a", new { x = 9 }, Hlc(2)), Put("b", new { }, Hlc(3))], rejectPatches);

        Assert.Equal(ChangeStatus.Rejected, outcomes[0].Status);
        Assert.Equal(SyncErrorCodes.InvalidChange, outcomes[0].Error!.Code);
        Assert.Equal(ChangeOutcome.Applied(2), outcomes[1]);
        Assert.Equal("{\"x\":1}", (await ReadOneAsync(store, "t", "a")).Fields.ToString());
    }

    /// <summary>Small batches and batches large enough for a store to work on them in stages (the SQLite store merges beside its writer).</summary>
    public static TheoryData<int> BatchSizes => [2, 300];

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public async Task A_batch_that_fails_midway_leaves_nothing_behind(int size)
    {
        ISyncStore store = await OpenStoreAsync();
        int calls = 0;
        var failing = new DelegateMerger((current, change) => ++calls == (size / 2) + 1 ? throw new InvalidOperationException("boom") : Lww.Merge(current, change));
        Change[] batch = [.. Enumerable.Range(0, size).Select(i => Put("r" + i, new { i }, Hlc(i + 1), opId: "x" + i))];

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.ApplyAsync("t", batch, failing));

        Assert.Equal(0, (await store.ReadMetadataAsync("t")).CurrentVersion);
        Assert.Empty((await store.ReadPageAsync("t", new PageRequest(0, 10, null))).Records);
        IReadOnlyList<ChangeOutcome> retry = await store.ApplyAsync("t", batch, Lww);
        Assert.Equal(Enumerable.Range(1, size).Select(v => ChangeOutcome.Applied(v)), retry);
    }

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public async Task A_record_changed_several_times_in_a_batch_keeps_its_last_applied_state(int size)
    {
        ISyncStore store = await OpenStoreAsync();
        var rejectMarked = new DelegateMerger((current, change) => change.OpId.StartsWith("bad", StringComparison.Ordinal)
            ? MergeDecision.Reject(SyncError.InvalidChange("marked"))
            : Lww.Merge(current, change));
        Change earlier = Put("a", new { x = 0, z = 0 }, Hlc(1), opId: "a-earlier");
        await store.ApplyAsync("t", [earlier], Lww);
        Change put = Put("a", new { x = 1 }, Hlc(2), opId: "a-put");
        Change[] others = [.. Enumerable.Range(0, size - 2).Select(i => Put("o" + i, new { i }, Hlc(10 + i)))];

        // "a" is changed at both ends of the batch (a large one reads what is stored in several chunks,
        // and must not take the stored "a" back once it has merged its own), then come a rejected change
        // and replays, of this batch and of an earlier one: none may hide the state before them.
        IReadOnlyList<ChangeOutcome> outcomes = await store.ApplyAsync(
            "t",
            [put, .. others, Patch("a", new { y = 2 }, Hlc(3)), Patch("a", new { y = 3 }, Hlc(4), opId: "bad-1"), put, earlier],
            rejectMarked);

        Assert.Equal(ChangeOutcome.Applied(2), outcomes[0]);
        Assert.Equal(ChangeOutcome.Applied(size + 1), outcomes[size - 1]);
        Assert.Equal(ChangeStatus.Rejected, outcomes[size].Status);
        Assert.Equal(ChangeOutcome.Duplicate(2), outcomes[size + 1]);
        Assert.Equal(ChangeOutcome.Duplicate(1), outcomes[size + 2]);
        RecordMessage a = await ReadOneAsync(store, "t", "a");
        Assert.Equal("{\"x\":1,\"y\":2}", a.Fields.ToString());
        Assert.Equal(size + 1, a.Version);
        StoreMetadata meta = await store.ReadMetadataAsync("t");
        Assert.Equal((size + 1, size - 1L, size + 1L), (meta.CurrentVersion, meta.Records, meta.AppliedOps));
    }

    [Fact]
    public async Task A_puller_beside_eight_concurrent_writers_never_skips_a_version()
    {
        ISyncStore store = await OpenStoreAsync();
        const int Writers = 8, Batches = 25, PerBatch = 20;
        var seen = new ConcurrentDictionary<string, long>();
        using var writersDone = new CancellationTokenSource();
        long cursor = 0;

        async Task<bool> PullOnceAsync()
        {
            RecordPage page = await store.ReadPageAsync("t", new PageRequest(cursor, 50, null));
            foreach (RecordMessage r in page.Records)
            {
                Assert.True(r.Version > cursor, "pages only move forward");
                seen[r.Id] = r.Version;
            }

            cursor = page.HasMore ? page.Records[^1].Version : Math.Max(cursor, page.SnapshotVersion);
            return page.HasMore;
        }

        Task puller = Task.Run(async () =>
        {
            while (!writersDone.IsCancellationRequested)
            {
                await PullOnceAsync();
            }
        });
        Task[] writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (int b = 0; b < Batches; b++)
            {
                Change[] batch = Enumerable.Range(0, PerBatch).Select(i => Put($"w{w}-b{b}-{i}", new { w, b, i }, Hlc(1 + (b * PerBatch) + i, $"w{w}"))).ToArray();
                await store.ApplyAsync("t", batch, Lww);
            }
        })).ToArray();

        await Task.WhenAll(writers);
        await writersDone.CancelAsync();
        await puller;
        while (await PullOnceAsync())
        {
        }

        // Every change made a new record, so any version skipped would be a record never seen.
        Assert.Equal(Writers * Batches * PerBatch, seen.Count);
        Assert.Equal(Enumerable.Range(1, Writers * Batches * PerBatch).Select(v => (long)v), seen.Values.Order());
    }

    [Fact]
    public async Task Data_and_epoch_survive_closing_and_reopening()
    {
        ISyncStore store = await OpenStoreAsync("durable");
        await store.ApplyAsync("t", [Put("a", new { x = 1 }, Hlc(1), opId: "keep")], Lww);
        Guid epoch = store.Epoch;
        await CloseStoreAsync(store);
        _opened.Remove(store);

        ISyncStore reopened = await OpenStoreAsync("durable");

        Assert.Equal(epoch, reopened.Epoch);
        Assert.Equal("{\"x\":1}", (await ReadOneAsync(reopened, "t", "a")).Fields.ToString());
        Assert.Equal(ChangeOutcome.Duplicate(1), (await reopened.ApplyAsync("t", [Put("a", new { x = 1 }, Hlc(1), opId: "keep")], Lww))[0]);
    }

    [Fact]
    public async Task Crdt_state_survives_storage_and_counts_every_increment()
    {
        ISyncStore store = await OpenStoreAsync("crdt");
        Change Increment(long by, string node, int ms) =>
            new(NextOpId(), "posts", "p", ChangeKind.Patch, null, Hlc(ms, node), crdt: new Dictionary<string, Crdt.CrdtOperation> { ["likes"] = Crdt.CrdtOperation.Count(by) });
        await store.ApplyAsync("t", [Increment(2, "a", 1), Increment(5, "b", 2)], Lww);
        await CloseStoreAsync(store);
        _opened.Remove(store);
        store = await OpenStoreAsync("crdt");

        await store.ApplyAsync("t", [Increment(-1, "a", 3)], Lww);

        RecordMessage record = await ReadOneAsync(store, "t", "p");
        Assert.Equal("{\"likes\":6}", record.Fields.ToString());
        CrdtStateMessage likes = record.Crdt!["likes"];
        Assert.Equal(new Dictionary<string, long> { ["a"] = 2, ["b"] = 5 }, likes.P);
        Assert.Equal(new Dictionary<string, long> { ["a"] = 1 }, likes.N);
    }

    [Fact]
    public async Task A_delta_page_carries_only_the_text_updates_since_the_cursor()
    {
        ISyncStore store = await OpenStoreAsync();
        var writer = new Crdt.Text.ReplicatedText("w");
        Change Edit(byte[] update, int ms) =>
            new(NextOpId(), "docs", "d", ChangeKind.Patch, Fields(new { title = "t" }), Hlc(ms, "w"), crdt: new Dictionary<string, Crdt.CrdtOperation> { ["body"] = Crdt.CrdtOperation.EditText(update) });
        await store.ApplyAsync("t", [Edit(writer.Insert(0, "Hello"), 1)], Lww);
        long cursor = (await store.ReadMetadataAsync("t")).CurrentVersion;
        byte[] typed = writer.Insert(5, "!");
        await store.ApplyAsync("t", [Edit(typed, 2)], Lww);

        RecordMessage full = Assert.Single((await store.ReadPageAsync("t", new PageRequest(0, 10, null))).Records);
        RecordMessage delta = Assert.Single((await store.ReadPageAsync("t", new PageRequest(cursor, 10, null, Deltas: true))).Records);

        Assert.Equal("{\"body\":\"Hello!\",\"title\":\"t\"}", full.Fields.ToString());
        Assert.NotNull(full.Crdt!["body"].State);
        Assert.Equal("{\"title\":\"t\"}", delta.Fields.ToString());
        Assert.Equal(typed, delta.Crdt!["body"].Delta);
        Assert.Contains("\"body\"", delta.Hlcs.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public async Task Every_text_edit_of_a_batch_reaches_the_delta_pulls(int size)
    {
        ISyncStore store = await OpenStoreAsync();
        var writer = new Crdt.Text.ReplicatedText("w");
        Change Edit(byte[] update, int ms) =>
            new(NextOpId(), "docs", "d", ChangeKind.Patch, null, Hlc(ms, "w"), crdt: new Dictionary<string, Crdt.CrdtOperation> { ["body"] = Crdt.CrdtOperation.EditText(update) });
        await store.ApplyAsync("t", [Edit(writer.Insert(0, "Hello"), 1)], Lww);
        long cursor = (await store.ReadMetadataAsync("t")).CurrentVersion;
        var reader = Crdt.Text.ReplicatedText.Decode(writer.EncodeState(), "r");

        // Typing, one character per change, between puts of other records.
        var batch = new List<Change>();
        for (int i = 0; batch.Count < size; i++)
        {
            batch.Add(i % 8 == 0 && batch.Count < 48 * 8 ? Edit(writer.Insert(5 + (i / 8), "!"), 2 + i) : Put("o" + i, new { i }, Hlc(2 + i)));
        }

        await store.ApplyAsync("t", batch, Lww);

        RecordPage page = await store.ReadPageAsync("t", new PageRequest(cursor, size + 10, null, Deltas: true));
        RecordMessage delta = Assert.Single(page.Records, r => r.Id == "d");
        reader.ApplyUpdate(delta.Crdt!["body"].Delta);
        Assert.Equal(writer.ToString(), reader.ToString());
        Assert.Equal(size + 1, (await store.ReadMetadataAsync("t")).CurrentVersion);
    }

    [Fact]
    public async Task A_text_edit_older_than_a_put_is_not_sent_as_a_delta()
    {
        ISyncStore store = await OpenStoreAsync();
        Change Edit(Crdt.Text.ReplicatedText writer, byte[] update, int ms) =>
            new(NextOpId(), "docs", "d", ChangeKind.Patch, null, Hlc(ms, writer.ReplicaId), crdt: new Dictionary<string, Crdt.CrdtOperation> { ["body"] = Crdt.CrdtOperation.EditText(update) });
        var late = new Crdt.Text.ReplicatedText("w");
        await store.ApplyAsync("t", [Edit(late, late.Insert(0, "Hello"), 1)], Lww);
        await store.ApplyAsync("t", [new Change(NextOpId(), "docs", "d", ChangeKind.Put, Fields(new { title = "new" }), Hlc(10, "p"))], Lww);
        long cursor = (await store.ReadMetadataAsync("t")).CurrentVersion;
        await store.ApplyAsync("t", [Edit(late, late.Insert(5, " world"), 5)], Lww);
        var fresh = new Crdt.Text.ReplicatedText("x");
        await store.ApplyAsync("t", [Edit(fresh, fresh.Insert(0, "Hi"), 11)], Lww);

        RecordMessage full = Assert.Single((await store.ReadPageAsync("t", new PageRequest(0, 10, null))).Records);
        RecordMessage delta = Assert.Single((await store.ReadPageAsync("t", new PageRequest(cursor, 10, null, Deltas: true))).Records);

        // The late edit was never part of the text, so a delta must not carry it: the page sends the whole state instead.
        Assert.Equal("{\"body\":\"Hi\",\"title\":\"new\"}", full.Fields.ToString());
        Assert.Equal(full.Fields.ToString(), delta.Fields.ToString());
        Assert.Null(delta.Crdt!["body"].Delta);
        Assert.Equal(full.Crdt!["body"].State, delta.Crdt["body"].State);
    }

    [Fact]
    public async Task Different_stores_have_different_epochs()
    {
        ISyncStore one = await OpenStoreAsync("one");
        ISyncStore two = await OpenStoreAsync("two");
        Assert.NotEqual(one.Epoch, two.Epoch);
    }

    [Fact]
    public async Task Metadata_counts_records_ops_and_tenants()
    {
        ISyncStore store = await OpenStoreAsync();
        await store.ApplyAsync("t", [Put("a", new { }, Hlc(1)), Patch("a", new { y = 1 }, Hlc(2)), Put("b", new { }, Hlc(3)), Delete("b", Hlc(4))], Lww);

        StoreMetadata meta = await store.ReadMetadataAsync("t");

        Assert.Equal(new StoreMetadata(CurrentVersion: 4, Records: 2, AppliedOps: 4, Tenants: 1), meta);
    }

    private static async Task<RecordMessage> ReadOneAsync(ISyncStore store, string tenant, string id)
    {
        RecordPage page = await store.ReadPageAsync(tenant, new PageRequest(0, 1000, null));
        return Assert.Single(page.Records, r => r.Id == id);
    }

    private sealed class DelegateMerger(Func<RecordState?, Change, MergeDecision> merge) : IChangeMerger
    {
        public MergeDecision Merge(RecordState? current, Change change) => merge(current, change);
    }
}

using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Concord.Records;
using Concord.Server.Merging;
using Concord.Server.Storage;

namespace Concord.Server.Sqlite;

/// <summary>
/// Looks up, merges and serializes a batch's changes in order, gives each applied one the next version,
/// and hands the writer what to store, change by change, as soon as it is decided. For a large batch
/// this runs on a second thread, reading through its own snapshot, while the writer runs the
/// statements: a pushing client waits for the longer of the two, not their sum. Only this merge reads
/// and changes the records; the writer only sees finished rows.
/// </summary>
internal sealed class BatchMerge(string tenant, IReadOnlyList<Change> changes, IChangeMerger merger, long startVersion)
{
    private readonly Dictionary<string, long> _appliedOps = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), RecordState> _states = [];

    // Stored records are at or below it, records this batch changed above it.
    private readonly long _startVersion = startVersion;
    private long _version = startVersion;
    private volatile bool _abandoned;

    /// <summary>Each change's outcome, complete once <see cref="Run"/> has returned.</summary>
    public ChangeOutcome[] Outcomes { get; } = new ChangeOutcome[changes.Count];

    /// <summary>The last version given out.</summary>
    public long Version => _version;

    /// <summary>How many of the records written did not exist before.</summary>
    public long NewRecords { get; private set; }

    /// <summary>Stops <see cref="Run"/> at the next change: the writer failed and the transaction is going back.</summary>
    public void Abandon() => _abandoned = true;

    /// <summary>
    /// Merges every change and completes <paramref name="steps"/>, with the exception if one was thrown;
    /// never throws itself. <paramref name="lookup"/> must read the store as it was before the batch.
    /// </summary>
    public void Run(ChannelWriter<AppliedChange> steps, RecordLookup lookup)
    {
        try
        {
            var buffer = new ArrayBufferWriter<byte>(4096);
            using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
            Dictionary<(string, string), int> lastTouch = LastTouches();
            for (int i = 0; i < changes.Count && !_abandoned; i++)
            {
                if (i % RecordLookup.Chunk == 0)
                {
                    Load(lookup, i);
                }

                Change change = changes[i];
                var key = (change.Collection, change.Id);
                AppliedChange step = Merge(i, change, key);

                // A record changed several times in one batch is written once, at its last version.
                StoredRow? row = lastTouch[key] == i && _states.TryGetValue(key, out RecordState? last) && last.Version > _startVersion
                    ? StoredRow.From(last, buffer, json)
                    : null;
                if (step.Version != 0 || row is not null)
                {
                    steps.TryWrite(step with { Row = row });
                }
            }

            steps.TryComplete();
        }
        catch (Exception exception)
        {
            steps.TryComplete(exception);
        }
    }

    private AppliedChange Merge(int index, Change change, (string, string) key)
    {
        if (_appliedOps.TryGetValue(change.OpId, out long firstVersion))
        {
            Outcomes[index] = ChangeOutcome.Duplicate(firstVersion);
            return new AppliedChange(change, 0, false, false, null);
        }

        bool existed = _states.TryGetValue(key, out RecordState? current);
        bool hadText = existed && HasText(current!);
        MergeDecision decision = merger.Merge(current, change);
        if (decision.Merged is not { } merged)
        {
            Outcomes[index] = ChangeOutcome.Rejected(decision.Rejection!);
            return new AppliedChange(change, 0, false, false, null);
        }

        merged.CommitVersion(++_version);
        if (!existed)
        {
            NewRecords++;
        }

        _states[key] = merged;
        _appliedOps[change.OpId] = _version;
        Outcomes[index] = ChangeOutcome.Applied(_version, decision.Conflict);

        // A put or a delete starts the record's text over; a record that had no text field has no log to clear.
        bool clearsText = change.Kind != ChangeKind.Patch && hadText;
        bool logsText = change.Crdt.Count != 0 && merged.Admits(change.Hlc);
        return new AppliedChange(change, _version, clearsText, logsText, null);
    }

    private void Load(RecordLookup lookup, int start)
    {
        var chunk = new Change[Math.Min(RecordLookup.Chunk, changes.Count - start)];
        for (int k = 0; k < chunk.Length; k++)
        {
            chunk[k] = changes[start + k];
        }

        lookup.Load(tenant, chunk, _appliedOps, _states);
    }

    private Dictionary<(string, string), int> LastTouches()
    {
        var last = new Dictionary<(string, string), int>(changes.Count);
        for (int i = 0; i < changes.Count; i++)
        {
            last[(changes[i].Collection, changes[i].Id)] = i;
        }

        return last;
    }

    private static bool HasText(RecordState state)
    {
        foreach (Crdt.CrdtValue value in state.Crdt.Values)
        {
            if (value.Kind == Crdt.CrdtKind.Text)
            {
                return true;
            }
        }

        return false;
    }
}

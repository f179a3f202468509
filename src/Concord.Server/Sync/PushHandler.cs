using Concord.Clock;
using Concord.Errors;
using Concord.Protocol;
using Concord.Records;
using Concord.Server.Auth;
using Concord.Server.Diagnostics;
using Concord.Server.Merging;
using Concord.Server.Realtime;
using Concord.Server.Storage;
using Concord.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Concord.Server.Sync;

/// <summary>
/// Applies a push: checks every change, refuses the bad ones one by one, and hands the rest to the
/// store as one transaction. Transport-free, so HTTP and WebSocket share it.
/// </summary>
internal sealed class PushHandler(
    ISyncStore store,
    IChangeMerger merger,
    HybridLogicalClock clock,
    IOptions<ConcordServerOptions> options,
    ChangeFeed feed,
    ILogger<PushHandler> logger)
{
    /// <summary>Below this many changes per core, handing work to other threads costs more than it saves.</summary>
    private const int MinChangesPerSlice = 128;

    private readonly ConcordServerOptions _options = options.Value;
    private readonly ChangeValidator _validator = new(options.Value.Limits);
    private readonly bool _writeRules = options.Value.Collections.Values.Any(c => c.CanWrite is not null);

    public async ValueTask<(PushResponse? Response, SyncError? Error)> HandleAsync(RequestAccess access, PushRequest request, CancellationToken cancellationToken)
    {
        if (!_validator.TryValidateBatch(request, out SyncError? batchError))
        {
            return (null, batchError);
        }

        IReadOnlyList<ChangeMessage> messages = request.Changes;
        var results = new ChangeResultMessage[messages.Count];
        if (!access.CanWrite)
        {
            // Refused change by change, as any refused write is, so that the client rolls each back and carries on.
            SyncError readOnly = SyncError.Create(SyncErrorCodes.Forbidden, "A viewer of this workspace cannot write.");
            for (int i = 0; i < messages.Count; i++)
            {
                results[i] = Result(messages[i].OpId, ChangeOutcome.Rejected(readOnly));
            }

            ConcordServerLog.PushApplied(logger, messages.Count, request.ClientId, 0, 0, messages.Count);
            return (new PushResponse { Results = results, Hlc = clock.Now().ToString() }, null);
        }

        Change?[] checkedChanges = Check(messages, results);
        var accepted = new List<Change>(messages.Count);
        var acceptedAt = new List<int>(messages.Count);
        for (int i = 0; i < checkedChanges.Length; i++)
        {
            if (checkedChanges[i] is { } change)
            {
                accepted.Add(change);
                acceptedAt.Add(i);
            }
        }

        int applied = 0, duplicates = 0;
        long reached = 0;
        if (accepted.Count > 0)
        {
            IChangeMerger checkedMerger = _writeRules ? new RuleCheckedMerger(merger, access.Principal, _options.Collections, logger) : merger;
            IReadOnlyList<ChangeOutcome> outcomes = await store.ApplyAsync(access.Tenant, accepted, checkedMerger, cancellationToken).ConfigureAwait(false);
            for (int k = 0; k < outcomes.Count; k++)
            {
                ChangeOutcome outcome = outcomes[k];
                if (outcome.Status == ChangeStatus.Applied)
                {
                    applied++;
                    reached = Math.Max(reached, outcome.Version);
                    clock.Observe(accepted[k].Hlc);
                }
                else if (outcome.Status == ChangeStatus.Duplicate)
                {
                    duplicates++;
                }

                results[acceptedAt[k]] = Result(accepted[k].OpId, outcome);
            }
        }

        if (applied > 0)
        {
            feed.Publish(access.Tenant, reached);
        }

        ConcordServerLog.PushApplied(logger, messages.Count, request.ClientId, applied, duplicates, messages.Count - applied - duplicates);
        return (new PushResponse { Results = results, Hlc = clock.Now().ToString() }, null);
    }

    /// <summary>
    /// Validates every change; a refused one gets its result here and no change. Changes are independent
    /// until they reach the store, so a large batch is checked on every core, in slices that each keep
    /// their own name cache: the batch's latency, which one pushing client waits for, is mostly this and
    /// the store's single-threaded apply.
    /// </summary>
    private Change?[] Check(IReadOnlyList<ChangeMessage> messages, ChangeResultMessage[] results)
    {
        var changes = new Change?[messages.Count];
        int slices = Math.Min(Environment.ProcessorCount, messages.Count / MinChangesPerSlice);
        if (slices <= 1)
        {
            CheckSlice(messages, 0, messages.Count, changes, results);
        }
        else
        {
            int size = (messages.Count + slices - 1) / slices;
            Parallel.For(0, slices, slice => CheckSlice(messages, slice * size, Math.Min(messages.Count, (slice + 1) * size), changes, results));
        }

        return changes;
    }

    private void CheckSlice(IReadOnlyList<ChangeMessage> messages, int start, int end, Change?[] changes, ChangeResultMessage[] results)
    {
        var names = new FieldNameCache();
        for (int i = start; i < end; i++)
        {
            if (TryAccept(messages[i], names, out Change? change, out SyncError? error))
            {
                changes[i] = change;
            }
            else
            {
                results[i] = Result(messages[i].OpId, ChangeOutcome.Rejected(error));
            }
        }
    }

    private bool TryAccept(ChangeMessage message, FieldNameCache names, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Change? change, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out SyncError? error)
    {
        if (!_validator.TryValidate(message, names, out change, out error))
        {
            return false;
        }

        if (!clock.IsWithinDrift(change.Hlc, out TimeSpan ahead))
        {
            ConcordServerLog.ClockDriftRefused(logger, change.OpId, (long)ahead.TotalMilliseconds);
            error = SyncError.Create(
                SyncErrorCodes.ClockDrift,
                $"The change is stamped {(long)ahead.TotalMilliseconds} ms ahead of the server's clock; at most {(long)clock.MaxDrift.TotalMilliseconds} ms is allowed.",
                new Dictionary<string, object> { ["aheadMs"] = (long)ahead.TotalMilliseconds, ["maxDriftMs"] = (long)clock.MaxDrift.TotalMilliseconds });
            change = null;
            return false;
        }

        _options.Collections.TryGetValue(change.Collection, out CollectionOptions? collection);
        if (collection is null && !_options.AllowUndeclaredCollections)
        {
            error = SyncError.InvalidChange($"The server declares no collection '{change.Collection}'.", new Dictionary<string, object> { ["field"] = "collection" });
            change = null;
            return false;
        }

        if (!MatchesSchema(change, collection, out error) || (collection is not null && !Schema.SchemaCheck.TryCheck(change, collection, out error)))
        {
            change = null;
            return false;
        }

        return true;
    }

    /// <summary>CRDT operations only on fields declared with that type, and plain values never on CRDT fields.</summary>
    private static bool MatchesSchema(Change change, CollectionOptions? collection, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out SyncError? error)
    {
        error = null;
        foreach ((string name, Crdt.CrdtOperation operation) in change.Crdt)
        {
            if (collection is null || !collection.Fields.TryGetValue(name, out Crdt.CrdtKind declared) || declared != operation.Kind)
            {
                error = SyncError.InvalidChange(
                    $"'{name}' is not declared as a {Crdt.CrdtOperation.FormatKind(operation.Kind)} field of '{change.Collection}'.",
                    new Dictionary<string, object> { ["field"] = "crdt" });
                return false;
            }
        }

        if (collection is not null)
        {
            foreach (string name in change.Fields.Keys)
            {
                if (collection.Fields.ContainsKey(name))
                {
                    error = SyncError.InvalidChange($"'{name}' is a CRDT field: change it with a CRDT operation.", new Dictionary<string, object> { ["field"] = "fields" });
                    return false;
                }
            }
        }

        return true;
    }

    private static ChangeResultMessage Result(string opId, ChangeOutcome outcome) => new()
    {
        OpId = opId,
        Status = outcome.Status,
        Version = outcome.Status == ChangeStatus.Rejected ? null : outcome.Version,
        Error = outcome.Error is null ? null : ErrorBody.From(outcome.Error),
    };
}

using Concord.Errors;
using Concord.Records;
using Concord.Server.Auth;
using Concord.Server.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Concord.Server.Merging;

/// <summary>
/// Asks a collection's <see cref="CollectionOptions.CanWrite"/> about each change before merging it, with the record
/// as the store holds it inside the write transaction, so that the answer cannot be raced.
/// </summary>
internal sealed class RuleCheckedMerger(IChangeMerger inner, ConcordPrincipal principal, IReadOnlyDictionary<string, CollectionOptions> collections, ILogger logger) : IChangeMerger
{
    public MergeDecision Merge(RecordState? current, Change change)
    {
        if (collections.TryGetValue(change.Collection, out CollectionOptions? collection) && collection.CanWrite is { } rule && !Allows(rule, current, change))
        {
            return MergeDecision.Reject(SyncError.Create(SyncErrorCodes.Forbidden, $"You may not change this record of '{change.Collection}'.", new Dictionary<string, object> { ["field"] = "id" }));
        }

        return inner.Merge(current, change);
    }

    private bool Allows(Func<ConcordPrincipal, Change, RecordState?, bool> rule, RecordState? current, Change change)
    {
        try
        {
            return rule(principal, change, current);
        }
        catch (Exception ex)
        {
            // A rule that fails refuses: a bug in it must not open the collection.
            ConcordServerLog.RuleFailed(logger, ex, change.Collection, "CanWrite");
            return false;
        }
    }
}

using Concord.Clock;
using Concord.Errors;
using Concord.Protocol;
using Concord.Server.Auth;
using Concord.Server.Diagnostics;
using Concord.Server.Storage;
using Concord.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Concord.Server.Sync;

/// <summary>Answers a pull: checks the cursor, reads one page from one snapshot, and makes the next cursor.</summary>
internal sealed class PullHandler(ISyncStore store, HybridLogicalClock clock, IOptions<ConcordServerOptions> options, ILogger<PullHandler> logger)
{
    private readonly ProtocolLimits _limits = options.Value.Limits;
    private readonly IReadOnlyDictionary<string, CollectionOptions> _collections = options.Value.Collections;

    private readonly bool _readRules = options.Value.Collections.Values.Any(c => c.CanRead is not null);

    /// <returns>The answer and the version its cursor reached, or the error to answer instead.</returns>
    public async ValueTask<(PullResponse? Response, long Version, SyncError? Error)> HandleAsync(RequestAccess access, PullRequest request, CancellationToken cancellationToken)
    {
        string tenant = access.Tenant;
        if (!TryReadRequest(tenant, request, out long after, out int limit, out IReadOnlyList<string>? collections, out SyncError? error))
        {
            return (null, 0, error);
        }

        RecordPage page = await store.ReadPageAsync(tenant, new PageRequest(after, limit, collections, request.Deltas == true && after > 0), cancellationToken).ConfigureAwait(false);
        if (after > page.SnapshotVersion)
        {
            // The store is behind the client: restored from an older backup, say. Resyncing is the only safe answer.
            return (null, 0, Stale("The cursor is ahead of this store; pull again from a null cursor."));
        }

        // Another node, or this one before a restart, may have stored readings this clock has not seen;
        // the answer's clock must come after everything in it so that the client's next write does too.
        clock.Observe(page.MaxHlc);
        long next = page.HasMore ? page.Records[^1].Version : Math.Max(after, page.SnapshotVersion);
        return (new PullResponse
        {
            Records = _readRules ? Readable(access.Principal, page.Records) : page.Records,
            Cursor = SyncCursor.For(store.Epoch, tenant, next).ToString(),
            HasMore = page.HasMore,
            Hlc = clock.Now().ToString(),
        }, next, null);
    }

    /// <summary>Whether a record may be sent to <paramref name="principal"/>; the cursor moves past it either way.</summary>
    private bool MayRead(ConcordPrincipal principal, RecordMessage record)
    {
        if (!_collections.TryGetValue(record.Collection, out CollectionOptions? collection) || collection.CanRead is not { } rule)
        {
            return true;
        }

        try
        {
            return rule(principal, record);
        }
        catch (Exception ex)
        {
            // A rule that fails refuses: a bug in it must not open the collection.
            ConcordServerLog.RuleFailed(logger, ex, record.Collection, "CanRead");
            return false;
        }
    }

    private IReadOnlyList<RecordMessage> Readable(ConcordPrincipal principal, IReadOnlyList<RecordMessage> records)
    {
        List<RecordMessage>? kept = null;
        for (int i = 0; i < records.Count; i++)
        {
            if (!MayRead(principal, records[i]))
            {
                kept ??= [.. records.Take(i)];
            }
            else
            {
                kept?.Add(records[i]);
            }
        }

        return kept ?? records;
    }

    private bool TryReadRequest(string tenant, PullRequest request, out long after, out int limit, out IReadOnlyList<string>? collections, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out SyncError? error)
    {
        after = 0;
        limit = request.Limit ?? _limits.DefaultPullLimit;
        collections = null;
        error = null;
        if (limit < 1)
        {
            error = SyncError.BadRequest("limit must be at least 1.", new Dictionary<string, object> { ["field"] = "limit" });
            return false;
        }

        limit = Math.Min(limit, _limits.MaxPullLimit);
        if (request.Collections is { } names)
        {
            if (names.Count > _limits.MaxPullCollections)
            {
                error = SyncError.BadRequest($"A pull names at most {_limits.MaxPullCollections} collections.", new Dictionary<string, object> { ["field"] = "collections" });
                return false;
            }

            foreach (string name in names)
            {
                if (!NameRules.IsValidCollectionName(name))
                {
                    error = SyncError.BadRequest("collections must hold valid collection names.", new Dictionary<string, object> { ["field"] = "collections" });
                    return false;
                }
            }

            collections = names.Distinct(StringComparer.Ordinal).ToArray();
        }

        if (request.Cursor is null)
        {
            return true;
        }

        if (!SyncCursor.TryParse(request.Cursor, out SyncCursor cursor))
        {
            error = SyncError.BadRequest("The cursor is not one this server issued.", new Dictionary<string, object> { ["field"] = "cursor" });
            return false;
        }

        if (cursor.Epoch != store.Epoch || !cursor.BelongsTo(tenant))
        {
            error = Stale("The cursor belongs to another store or tenant; pull again from a null cursor.");
            return false;
        }

        after = cursor.Version;
        return true;
    }

    private static SyncError Stale(string message) => SyncError.Create(SyncErrorCodes.CursorStale, message);
}

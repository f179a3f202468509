using Concord.Client.Local;
using Concord.Client.Outbox;
using Concord.Client.Transport;
using Concord.Clock;
using Concord.Errors;
using Concord.Protocol;
using Concord.Protocol.Realtime;
using Microsoft.Extensions.Logging;

namespace Concord.Client.Sync;

/// <summary>
/// A sync round: push the outbox in bounded batches, then (unless the server tells this replica about changes
/// on its own) pull until the server has nothing more. Rounds, and records the server sends unasked, are applied
/// one at a time, whether the app or the background loop asks for them, and each round ends by setting the queue
/// figures from the outbox.
/// </summary>
internal sealed class SyncRound(
    LocalStore store,
    Func<ISyncTransport> transport,
    HybridLogicalClock clock,
    ConcordClientOptions options,
    ILogger logger,
    QueueGauge queue,
    ClientMetrics metrics,
    Action<SyncState> setState,
    Action<IReadOnlyList<ChangeRejectedEventArgs>> rejected)
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private TaskCompletionSource _ended = NewSignal();
    private int _batchSize = options.PushBatchSize;

    /// <summary>Completes when the round under way, or else the next one, ends (however it ends).</summary>
    public Task Ended => Volatile.Read(ref _ended).Task;

    /// <summary>A whole round: push, then pull.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => RunAsync(pull: true, cancellationToken);

    /// <summary>Pushes the outbox, and pulls when <paramref name="pull"/> is set.</summary>
    public async Task RunAsync(bool pull, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            setState(SyncState.Pushing);
            int pushed = await PushAllAsync(cancellationToken).ConfigureAwait(false);
            int pulled = 0;
            if (pull)
            {
                setState(SyncState.Pulling);
                pulled = await PullAllAsync(cancellationToken).ConfigureAwait(false);
            }

            ConcordClientLog.RoundDone(logger, pushed, pulled);
        }
        finally
        {
            try
            {
                queue.Set(await store.ReadQueueStatsAsync(CancellationToken.None).ConfigureAwait(false));
            }
            finally
            {
                _oneAtATime.Release();
                Interlocked.Exchange(ref _ended, NewSignal()).TrySetResult();
            }
        }
    }

    /// <summary>
    /// Applies records the server sent unasked (a <c>changes</c> frame) as a pull page with nothing after it: the
    /// base and cursor move, and views are rebased, in one transaction.
    /// </summary>
    public async Task ApplyChangesAsync(ChangesMessage changes, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (HlcTimestamp.TryParse(changes.Hlc, out HlcTimestamp serverTime))
            {
                clock.Observe(serverTime);
            }

            await store.ApplyPageAsync(new PullResponse { Records = changes.Records, Cursor = changes.Cursor, HasMore = false, Hlc = changes.Hlc }, cancellationToken).ConfigureAwait(false);
            metrics.Received(changes.Records.Count);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<int> PushAllAsync(CancellationToken cancellationToken)
    {
        int pushed = 0;
        while (true)
        {
            IReadOnlyList<OutboxEntry> batch = await store.TakeBatchAsync(_batchSize, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                return pushed;
            }

            PushResponse response;
            queue.BatchSent();
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                response = await transport().PushAsync(
                    new PushRequest { ClientId = store.ClientId, Changes = batch.Select(e => e.ToMessage()).ToArray() },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (SyncException ex) when (ex.Code == SyncErrorCodes.PayloadTooLarge)
            {
                if (batch.Count > 1)
                {
                    // The server takes smaller pushes than we sent: halve until it fits.
                    _batchSize = Math.Max(1, batch.Count / 2);
                    continue;
                }

                // A single change larger than any push may be can never be delivered.
                rejected([await store.DropAsync(batch[0], ex.Error, cancellationToken).ConfigureAwait(false)]);
                continue;
            }
            finally
            {
                queue.BatchAnswered();
            }

            metrics.Pushed(started);

            if (HlcTimestamp.TryParse(response.Hlc, out HlcTimestamp serverTime))
            {
                clock.Observe(serverTime);
            }

            IReadOnlyList<ChangeRejectedEventArgs> refused = await store.ApplyPushResultsAsync(batch, response.Results, cancellationToken).ConfigureAwait(false);
            foreach (ChangeRejectedEventArgs r in refused)
            {
                ConcordClientLog.Rejected(logger, r.OpId, r.Collection, r.Error.Code);
            }

            if (refused.Count > 0)
            {
                rejected(refused);
            }

            pushed += batch.Count;
            if (response.Results.Count < batch.Count)
            {
                throw new SyncException(SyncError.Internal("The server answered fewer results than changes sent."));
            }
        }
    }

    /// <summary>
    /// Pulls until the server has nothing more. The next page is requested while the current one is
    /// applied, so the server's work and the local writes overlap; pages are still applied strictly
    /// in order, each with its cursor in one transaction.
    /// </summary>
    private async Task<int> PullAllAsync(CancellationToken cancellationToken)
    {
        int pulled = 0;
        bool resynced = false;
        string? cursor = await store.ReadCursorAsync(cancellationToken).ConfigureAwait(false);
        Task<PullResponse> next = RequestPageAsync(cursor, cancellationToken);
        while (true)
        {
            PullResponse page;
            try
            {
                page = await next.ConfigureAwait(false);
            }
            catch (SyncException ex) when (ex.Code == SyncErrorCodes.CursorStale && !resynced)
            {
                ConcordClientLog.Resync(logger);
                await store.BeginResyncAsync(cancellationToken).ConfigureAwait(false);
                resynced = true;
                next = RequestPageAsync(null, cancellationToken);
                continue;
            }

            if (page.HasMore)
            {
                next = RequestPageAsync(page.Cursor, cancellationToken);
            }

            try
            {
                if (HlcTimestamp.TryParse(page.Hlc, out HlcTimestamp serverTime))
                {
                    clock.Observe(serverTime);
                }

                await store.ApplyPageAsync(page, cancellationToken).ConfigureAwait(false);
            }
            catch when (page.HasMore)
            {
                // The page asked for ahead is abandoned with this one; observe it so that its failure is not left unobserved.
                _ = next.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                throw;
            }

            pulled += page.Records.Count;
            if (!page.HasMore)
            {
                return pulled;
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task<PullResponse> RequestPageAsync(string? cursor, CancellationToken cancellationToken)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        PullResponse page = await transport().PullAsync(new PullRequest { Cursor = cursor, Limit = options.PullPageSize, Collections = options.Collections, Deltas = true }, cancellationToken).ConfigureAwait(false);
        metrics.Pulled(started);
        return page;
    }
}

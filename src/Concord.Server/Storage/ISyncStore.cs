using Concord.Records;
using Concord.Server.Merging;

namespace Concord.Server.Storage;

/// <summary>
/// Where a server keeps records, versions and applied ops. Small on purpose: every store passes
/// the same conformance suite, and the sync semantics live above it.
/// </summary>
/// <remarks>
/// A store must: apply each batch in one transaction with one commit; skip an op id it has applied
/// before and answer with the version it was applied at; give each applied change the tenant's next
/// version, contiguous, and make versions visible to readers only in order; read pages from one
/// consistent snapshot.
/// </remarks>
public interface ISyncStore
{
    /// <summary>Identifies this store's history; cursors from another epoch are stale. Valid after <see cref="InitializeAsync"/>.</summary>
    Guid Epoch { get; }

    /// <summary>Creates or migrates the store. Called once before anything else.</summary>
    ValueTask InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Applies a batch of validated changes in one transaction.</summary>
    /// <returns>One outcome per change, in order.</returns>
    ValueTask<IReadOnlyList<ChangeOutcome>> ApplyAsync(string tenant, IReadOnlyList<Change> changes, IChangeMerger merger, CancellationToken cancellationToken = default);

    /// <summary>Reads the records changed after a version, coalesced, in version order.</summary>
    ValueTask<RecordPage> ReadPageAsync(string tenant, PageRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads counts for a tenant.</summary>
    ValueTask<StoreMetadata> ReadMetadataAsync(string tenant, CancellationToken cancellationToken = default);
}

using Concord.Clock;
using Concord.Protocol;

namespace Concord.Server.Storage;

/// <summary>One page of records read from one consistent snapshot.</summary>
/// <param name="Records">Records in version order, each in its current state.</param>
/// <param name="HasMore">Whether records beyond this page exist in the snapshot.</param>
/// <param name="SnapshotVersion">The tenant's version in the snapshot read.</param>
/// <param name="MaxHlc">The greatest clock reading in the page's records (<c>default</c> for an empty page).</param>
public sealed record RecordPage(IReadOnlyList<RecordMessage> Records, bool HasMore, long SnapshotVersion, HlcTimestamp MaxHlc);

using Concord.Records;

namespace Concord.Server.Merging;

/// <summary>
/// A custom conflict rule: given the record as stored (a copy, or null if new) and the incoming change,
/// return the merged record, or reject the change. <see cref="ConflictContext.LastWriterWins"/> gives the default merge.
/// </summary>
/// <example><code>
/// ConflictResolver noLongTitles = (current, change, context) =>
///     change.Fields.TryGetValue("title", out var t) &amp;&amp; t.Utf8.Length &gt; 200
///         ? MergeDecision.Reject(SyncError.InvalidChange("Titles are at most 200 bytes."))
///         : context.LastWriterWins(current, change);
/// </code></example>
public delegate MergeDecision ConflictResolver(RecordState? current, Change change, ConflictContext context);

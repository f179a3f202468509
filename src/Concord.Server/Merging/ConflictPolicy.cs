using Concord.Errors;
using Concord.Records;

namespace Concord.Server.Merging;

/// <summary>How a collection resolves a change against the record the server holds. Set per collection.</summary>
/// <example><code>
/// builder.Services.AddConcord(o => o
///     .Collection("invoices", c => c.Policy = ConflictPolicy.ServerWins)
///     .Collection("drafts", c => c.Policy = ConflictPolicy.ClientWins));
/// </code></example>
public abstract class ConflictPolicy
{
    /// <summary>Field-level last-writer-wins by clock reading (the default).</summary>
    public static ConflictPolicy LastWriterWins { get; } = new LastWriterWinsPolicy();

    /// <summary>
    /// A change made against an older version (<c>baseVersion</c>) loses on every field changed since;
    /// its other fields apply. The losing fields are reported with <c>SYNC:CONFLICT</c>; a change that loses
    /// everything (or a put or delete that meets any newer change) is rejected with it.
    /// </summary>
    public static ConflictPolicy ServerWins { get; } = new ServerWinsPolicy();

    /// <summary>The last change to arrive wins, whatever its clock reading.</summary>
    public static ConflictPolicy ClientWins { get; } = new ClientWinsPolicy();

    /// <summary>The policy's name in <c>sync.json</c>.</summary>
    public abstract string Name { get; }

    /// <summary>A policy that calls <paramref name="resolver"/> for every change.</summary>
    public static ConflictPolicy Custom(ConflictResolver resolver) => new CustomPolicy(resolver ?? throw new ArgumentNullException(nameof(resolver)));

    /// <summary>Decides the record's new state. <paramref name="current"/> may be changed in place only when accepting.</summary>
    public abstract MergeDecision Merge(RecordState? current, Change change, ConflictContext context);

    /// <summary>
    /// The record to merge into: the stored one itself for plain changes, a copy when CRDT operations
    /// may fail half-way (a rejected change must leave the stored record as it was).
    /// </summary>
    private protected static RecordState? Target(RecordState? current, Change change) =>
        change.Crdt.Count > 0 ? current?.Clone() : current;

    private sealed class LastWriterWinsPolicy : ConflictPolicy
    {
        public override string Name => "lww";

        public override MergeDecision Merge(RecordState? current, Change change, ConflictContext context) =>
            context.LastWriterWins(Target(current, change), change);
    }

    private sealed class ClientWinsPolicy : ConflictPolicy
    {
        public override string Name => "client-wins";

        /// <summary>Restamping with the server's clock makes the change the newest write, so arrival order decides.</summary>
        public override MergeDecision Merge(RecordState? current, Change change, ConflictContext context) =>
            context.LastWriterWins(Target(current, change), change.WithHlc(context.ServerTime()));
    }

    private sealed class CustomPolicy(ConflictResolver resolver) : ConflictPolicy
    {
        public override string Name => "custom";

        public override MergeDecision Merge(RecordState? current, Change change, ConflictContext context) =>
            resolver(current?.Clone(), change, context);
    }

    private sealed class ServerWinsPolicy : ConflictPolicy
    {
        public override string Name => "server-wins";

        public override MergeDecision Merge(RecordState? current, Change change, ConflictContext context)
        {
            if (current is null || change.BaseVersion is not { } seen || seen >= current.Version)
            {
                return context.LastWriterWins(Target(current, change), change);
            }

            if (change.Kind != ChangeKind.Patch || current.IsDeleted)
            {
                // A put or a delete replaces the whole record: anything changed since the client looked is a conflict.
                return MergeDecision.Reject(Conflict(change.Kind == ChangeKind.Delete ? ["*"] : [.. change.Fields.Keys, .. change.Crdt.Keys], seen, current.Version));
            }

            var kept = new Dictionary<string, RawJsonValue>(StringComparer.Ordinal);
            var lost = new List<string>();
            foreach ((string name, RawJsonValue value) in change.Fields)
            {
                bool changedSince = current.Fields.TryGetValue(name, out FieldState field) && field.Version > seen;
                if (changedSince)
                {
                    lost.Add(name);
                }
                else
                {
                    kept[name] = value;
                }
            }

            if (lost.Count == 0)
            {
                return context.LastWriterWins(Target(current, change), change);
            }

            if (kept.Count == 0 && change.Crdt.Count == 0)
            {
                return MergeDecision.Reject(Conflict(lost, seen, current.Version));
            }

            MergeDecision partly = context.LastWriterWins(Target(current, change), change.WithFields(kept));
            return partly.Merged is { } merged ? MergeDecision.AcceptPartly(merged, Conflict(lost, seen, current.Version)) : partly;
        }

        private static SyncError Conflict(IReadOnlyList<string> fields, long seen, long current) => SyncError.Create(
            SyncErrorCodes.Conflict,
            $"The change was made against version {seen}; the record is at version {current}, and the server's newer values win.",
            new Dictionary<string, object> { ["fields"] = fields.ToArray(), ["baseVersion"] = seen, ["currentVersion"] = current });
    }
}

using System.Text;
using Concord.Clock;
using Concord.Merge;
using Concord.Records;

namespace Concord.Client.Local;

/// <summary>Computes a record's view: the server's base with the pending local changes merged over it.</summary>
internal static class ViewRebase
{
    /// <returns>The view's fields as a JSON object, or null when the result is deleted.</returns>
    public static string? Compute(string collection, string id, ReadOnlyMemory<byte>? baseFields, ReadOnlyMemory<byte>? baseHlcs, string? baseDeleted, IEnumerable<Change> pending)
    {
        RecordState state = baseFields is not { } fields
            ? new RecordState(collection, id)
            : RecordStateJson.Read(
                collection,
                id,
                fields,
                (baseHlcs ?? RecordStateJson.EmptyObject).Span,
                baseDeleted is null ? default : HlcTimestamp.Parse(baseDeleted),
                default,
                0);
        foreach (Change change in pending)
        {
            LastWriterWinsMerge.Apply(state, change);
        }

        return state.IsDeleted ? null : Encoding.UTF8.GetString(RecordStateJson.WriteFields(state));
    }
}

using System.Text;
using Concord.Clock;
using Concord.Crdt;
using Concord.Protocol;
using Concord.Protocol.Json;
using Concord.Records;

namespace Concord.Client.Local;

/// <summary>
/// A record as the server last confirmed it, rebuilt from the local base columns, and the merging of a
/// pulled record's CRDT data into the base that a client keeps.
/// </summary>
internal static class BaseRecord
{
    /// <summary>The base as a <see cref="RecordState"/> whose CRDT fields edit as <paramref name="replica"/>.</summary>
    public static RecordState Build(string collection, string id, ReadOnlyMemory<byte>? fields, ReadOnlyMemory<byte>? hlcs, string? deleted, Dictionary<string, CrdtStateMessage>? crdt, string replica)
    {
        // A missing column arrives as an empty buffer as often as a null one.
        if (fields is not { IsEmpty: false } fieldsJson)
        {
            return new RecordState(collection, id);
        }

        var values = new Dictionary<string, RawJsonValue>(StringComparer.Ordinal);
        JsonObjectFields.TrySplit(RawJsonValue.FromValidatedUtf8(fieldsJson), values, out _);
        Dictionary<string, CrdtValue>? states = crdt?.ToDictionary(c => c.Key, c => CrdtValue.FromMessage(c.Value, replica), StringComparer.Ordinal);
        if (states is not null)
        {
            // Text values travel as CRDT state only (delta pulls): their plain value comes from that state.
            foreach ((string name, CrdtValue value) in states)
            {
                values.TryAdd(name, value.PlainValue);
            }
        }

        RecordState state = RecordStateJson.Read(
            collection,
            id,
            JsonObjectFields.Write(values),
            (hlcs is { IsEmpty: false } h ? h : RecordStateJson.EmptyObject).Span,
            deleted is null ? default : HlcTimestamp.Parse(deleted),
            default,
            0);
        if (states is not null)
        {
            foreach ((string name, CrdtValue value) in states)
            {
                if (state.Fields.ContainsKey(name))
                {
                    state.RestoreCrdt(name, value);
                }
            }
        }

        return state;
    }

    /// <summary>
    /// The CRDT states the client keeps after a pulled record: full states replace, text deltas merge into
    /// the state kept before, and a text field the page leaves out (unchanged since the cursor) keeps its state.
    /// </summary>
    public static Dictionary<string, CrdtStateMessage>? Merge(RecordMessage record, string? keptJson, string replica)
    {
        Dictionary<string, CrdtStateMessage>? kept = keptJson is null ? null : CrdtJson.ReadStates(Encoding.UTF8.GetBytes(keptJson));
        var live = new HashSet<string>(StringComparer.Ordinal);
        var hlcNames = new Dictionary<string, RawJsonValue>(StringComparer.Ordinal);
        JsonObjectFields.TrySplit(record.Hlcs, hlcNames, out _);
        live.UnionWith(hlcNames.Keys);

        var merged = new Dictionary<string, CrdtStateMessage>(StringComparer.Ordinal);
        if (kept is not null && record.Deleted is null)
        {
            foreach ((string name, CrdtStateMessage state) in kept)
            {
                if (live.Contains(name) && state.Type == "text")
                {
                    merged[name] = state;
                }
            }
        }

        foreach ((string name, CrdtStateMessage state) in record.Crdt ?? new Dictionary<string, CrdtStateMessage>())
        {
            if (state.Type == "text" && state.State is null && state.Delta is null)
            {
                continue;
            }

            if (state.Delta is { } delta)
            {
                var text = (TextValue)CrdtValue.FromMessage(merged.TryGetValue(name, out CrdtStateMessage? before) ? before : new CrdtStateMessage { Type = "text" }, replica);
                text.Text.ApplyUpdate(delta);
                merged[name] = text.ToMessage();
            }
            else
            {
                merged[name] = state;
            }
        }

        return merged.Count == 0 ? null : merged;
    }

    /// <summary>Whether the record's plain fields are not the whole view: a text field's value must come from its state.</summary>
    public static bool LacksPlainValues(RecordMessage record) =>
        record.Crdt is { } crdt && crdt.Values.Any(s => s.Type == "text" && s.State is null);
}

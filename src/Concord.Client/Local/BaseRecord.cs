using System.Text;
using System.Text.Json;
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
        ReadOnlySpan<byte> readings = (hlcs is { IsEmpty: false } h ? h : RecordStateJson.EmptyObject).Span;
        HlcTimestamp tombstone = deleted is null ? default : HlcTimestamp.Parse(deleted);
        Dictionary<string, CrdtValue>? states = crdt?.ToDictionary(c => c.Key, c => CrdtValue.FromMessage(c.Value, replica), StringComparer.Ordinal);
        RecordState state;
        if (readings[0] != (byte)'{')
        {
            // Kept as the one reading every plain field carries (see StoredReadings).
            HlcTimestamp common = HlcTimestamp.Parse(Encoding.UTF8.GetString(readings));
            state = new RecordState(collection, id, values.Select(v => KeyValuePair.Create(v.Key, new FieldState(v.Value, common))), tombstone, default, 0);
        }
        else
        {
            if (states is not null)
            {
                // Text values travel as CRDT state only (delta pulls): their plain value comes from that state.
                foreach ((string name, CrdtValue value) in states)
                {
                    values.TryAdd(name, value.PlainValue);
                }
            }

            state = RecordStateJson.Read(collection, id, JsonObjectFields.Write(values), readings, tombstone, default, 0);
        }

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

    /// <summary>
    /// What the base keeps of a pulled record's clock readings: the one reading all of its fields carry
    /// (what a put leaves), or the per-field map as it came when they differ or the record has CRDT fields.
    /// <see cref="Build"/> gives the single reading to every field again.
    /// </summary>
    /// <remarks>
    /// The map repeats a 30-odd byte reading for every field: about half of what a plain record of ten
    /// fields stores. A fresh replica writes one for every record it pulls and reads it back only for the
    /// few records it rebases, so keeping one reading makes every pulled page much less to write, commit and
    /// checkpoint. A record with CRDT fields keeps the map, whose names may differ from its plain fields'.
    /// </remarks>
    public static ReadOnlySpan<byte> StoredReadings(RecordMessage record)
    {
        ReadOnlySpan<byte> hlcs = record.Hlcs.Utf8.Span;
        return record.Crdt is null && TryCommonReading(record.Fields.Utf8.Span, hlcs, out Range common) ? hlcs[common] : hlcs;
    }

    /// <summary>
    /// Whether <paramref name="hlcs"/> names exactly the fields of <paramref name="fields"/>, in the same
    /// order, each with the same reading; <paramref name="common"/> is where that reading's text is.
    /// </summary>
    internal static bool TryCommonReading(ReadOnlySpan<byte> fields, ReadOnlySpan<byte> hlcs, out Range common)
    {
        common = default;
        try
        {
            var names = new Utf8JsonReader(fields);
            var readings = new Utf8JsonReader(hlcs);
            if (!names.Read() || names.TokenType != JsonTokenType.StartObject || !readings.Read() || readings.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            bool any = false;
            while (names.Read() && readings.Read())
            {
                if (names.TokenType == JsonTokenType.EndObject)
                {
                    return any && readings.TokenType == JsonTokenType.EndObject;
                }

                // Escaped text is compared as it is spelled, which may differ: such records keep their map.
                if (names.TokenType != JsonTokenType.PropertyName || readings.TokenType != JsonTokenType.PropertyName
                    || names.ValueIsEscaped || readings.ValueIsEscaped || !names.ValueSpan.SequenceEqual(readings.ValueSpan))
                {
                    return false;
                }

                names.Skip();
                if (!readings.Read() || readings.TokenType != JsonTokenType.String || readings.ValueIsEscaped || readings.ValueSpan.IsEmpty)
                {
                    return false;
                }

                int start = (int)readings.TokenStartIndex + 1;
                Range here = start..(start + readings.ValueSpan.Length);
                if (!any)
                {
                    common = here;
                    any = true;
                }
                else if (!hlcs[here].SequenceEqual(hlcs[common]))
                {
                    return false;
                }
            }

            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Whether the record's plain fields are not the whole view: a text field's value must come from its state.</summary>
    public static bool LacksPlainValues(RecordMessage record) =>
        record.Crdt is { } crdt && crdt.Values.Any(s => s.Type == "text" && s.State is null);
}

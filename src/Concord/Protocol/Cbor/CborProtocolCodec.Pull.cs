using System.Text.Json;
using Concord.Records;

namespace Concord.Protocol.Cbor;

/// <summary>Pull messages, records, CRDT states and errors.</summary>
public sealed partial class CborProtocolCodec
{
    private static void Write(CborMessageWriter w, PullRequest pull)
    {
        w.Writer.WriteStartMap(1 + (pull.Limit is null ? 0 : 1) + (pull.Collections is null ? 0 : 1) + (pull.Deltas is null ? 0 : 1));
        w.Writer.WriteUInt32(0);
        w.OptionalText(pull.Cursor);
        if (pull.Limit is { } limit)
        {
            w.Writer.WriteUInt32(1);
            w.Writer.WriteInt32(limit);
        }

        if (pull.Collections is { } collections)
        {
            w.Writer.WriteUInt32(2);
            w.Writer.WriteStartArray(collections.Count);
            foreach (string collection in collections)
            {
                w.Text(collection);
            }

            w.Writer.WriteEndArray();
        }

        if (pull.Deltas is { } deltas)
        {
            w.Writer.WriteUInt32(3);
            w.Writer.WriteBoolean(deltas);
        }

        w.Writer.WriteEndMap();
    }

    private static void Write(CborMessageWriter w, PullResponse page)
    {
        w.Writer.WriteStartMap(4);
        w.Writer.WriteUInt32(0);
        Write(w, page.Records);
        w.Writer.WriteUInt32(1);
        w.Text(page.Cursor);
        w.Writer.WriteUInt32(2);
        w.Writer.WriteBoolean(page.HasMore);
        w.Writer.WriteUInt32(3);
        w.Hlc(page.Hlc);
        w.Writer.WriteEndMap();
    }

    private static void Write(CborMessageWriter w, IReadOnlyList<RecordMessage> records)
    {
        w.Writer.WriteStartArray(records.Count);
        foreach (RecordMessage record in records)
        {
            Write(w, record);
        }

        w.Writer.WriteEndArray();
    }

    private static void Write(CborMessageWriter w, RecordMessage record)
    {
        w.Writer.WriteStartMap(record.Crdt is null ? 6 : 7);
        w.Writer.WriteUInt32(0);
        w.Text(record.Collection);
        w.Writer.WriteUInt32(1);
        w.Id(record.Id);
        w.Writer.WriteUInt32(2);
        w.Fields(record.Fields);
        w.Writer.WriteUInt32(3);
        w.Hlcs(record.Fields, record.Hlcs);

        w.Writer.WriteUInt32(4);
        w.OptionalHlc(record.Deleted);
        w.Writer.WriteUInt32(5);
        w.Writer.WriteInt64(record.Version);
        if (record.Crdt is { } crdt)
        {
            w.Writer.WriteUInt32(6);
            w.Writer.WriteStartMap(crdt.Count);
            foreach ((string name, CrdtStateMessage state) in crdt)
            {
                w.Text(name);
                Write(w, state);
            }

            w.Writer.WriteEndMap();
        }

        w.Writer.WriteEndMap();
    }

    private static void Write(CborMessageWriter w, CrdtStateMessage state)
    {
        w.Writer.WriteStartMap(1 + (state.P is null ? 0 : 1) + (state.N is null ? 0 : 1) + (state.Entries is null ? 0 : 1) + (state.State is null ? 0 : 1) + (state.Delta is null ? 0 : 1));
        w.Writer.WriteUInt32(0);
        w.Text(state.Type);
        WriteTotals(w, 1, state.P);
        WriteTotals(w, 2, state.N);
        if (state.Entries is { } entries)
        {
            w.Writer.WriteUInt32(3);
            w.Writer.WriteStartArray(entries.Count);
            foreach (SetEntryMessage entry in entries)
            {
                w.Writer.WriteStartArray(2);
                w.Json(entry.Value);
                w.Text(entry.Tag);
                w.Writer.WriteEndArray();
            }

            w.Writer.WriteEndArray();
        }

        if (state.State is { } whole)
        {
            w.Writer.WriteUInt32(4);
            w.Bytes(whole);
        }

        if (state.Delta is { } delta)
        {
            w.Writer.WriteUInt32(5);
            w.Bytes(delta);
        }

        w.Writer.WriteEndMap();
    }

    private static void WriteTotals(CborMessageWriter w, uint key, IReadOnlyDictionary<string, long>? totals)
    {
        if (totals is null)
        {
            return;
        }

        w.Writer.WriteUInt32(key);
        w.Writer.WriteStartMap(totals.Count);
        foreach ((string replica, long total) in totals)
        {
            w.Text(replica);
            w.Writer.WriteInt64(total);
        }

        w.Writer.WriteEndMap();
    }

    private void Write(CborMessageWriter w, ErrorResponse failure)
    {
        w.Writer.WriteStartMap(1);
        w.Writer.WriteUInt32(0);
        Write(w, failure.Error);
        w.Writer.WriteEndMap();
    }

    private static void Write(CborMessageWriter w, ErrorBody error)
    {
        w.Writer.WriteStartMap(error.Meta is null ? 3 : 4);
        w.Writer.WriteUInt32(0);
        w.Text(error.Code);
        w.Writer.WriteUInt32(1);
        w.Text(error.Message);
        w.Writer.WriteUInt32(2);
        w.Text(error.HelpUrl);
        if (error.Meta is { } meta)
        {
            w.Writer.WriteUInt32(3);
            w.Json(RawJsonValue.FromValidatedUtf8(JsonSerializer.SerializeToUtf8Bytes(meta, Json.ConcordJsonContext.Default.IReadOnlyDictionaryStringObject)));
        }

        w.Writer.WriteEndMap();
    }

    private PullRequest ReadPullRequest(CborMessageReader r)
    {
        string? cursor = null;
        int? limit = null;
        List<string>? collections = null;
        bool? deltas = null;
        r.StartMap();
        ulong seen = 0;
        while (r.NextKey() is int key)
        {
            Once(ref seen, key);
            switch (key)
            {
                case 0:
                    cursor = r.OptionalText();
                    break;
                case 1:
                    limit = checked((int)r.Integer());
                    break;
                case 2:
                    collections = r.Array(x => x.Text());

                    break;
                case 3:
                    deltas = r.Boolean();
                    break;
                default:
                    throw Unknown(key);
            }
        }

        return new PullRequest { Cursor = cursor, Limit = limit, Collections = collections, Deltas = deltas };
    }

    private PullResponse ReadPullResponse(CborMessageReader r)
    {
        List<RecordMessage>? records = null;
        string? cursor = null, hlc = null;
        bool? hasMore = null;
        r.StartMap();
        ulong seen = 0;
        while (r.NextKey() is int key)
        {
            Once(ref seen, key);
            switch (key)
            {
                case 0:
                    records = r.Array(x => ReadRecord(x));

                    break;
                case 1:
                    cursor = r.Text();
                    break;
                case 2:
                    hasMore = r.Boolean();
                    break;
                case 3:
                    hlc = r.Hlc();
                    break;
                default:
                    throw Unknown(key);
            }
        }

        return new PullResponse { Records = records ?? throw Missing("records"), Cursor = cursor ?? throw Missing("cursor"), HasMore = hasMore ?? throw Missing("hasMore"), Hlc = hlc ?? throw Missing("hlc") };
    }

    private RecordMessage ReadRecord(CborMessageReader r)
    {
        string? collection = null, id = null, deleted = null;
        RawJsonValue? fields = null, hlcs = null;
        List<ReadOnlyMemory<byte>> names = Cleared(r.ScratchNames);
        CborMessageReader.CompactHlcs? compact = null;
        long? version = null;
        bool deletedSeen = false;
        Dictionary<string, CrdtStateMessage>? crdt = null;
        r.StartMap();
        ulong seen = 0;
        while (r.NextKey() is int key)
        {
            Once(ref seen, key);
            switch (key)
            {
                case 0:
                    collection = r.Text();
                    break;
                case 1:
                    id = r.Id();
                    break;
                case 2:
                    fields = r.JsonObject(names);
                    break;
                case 3:
                    if (r.Reader.PeekState() == System.Formats.Cbor.CborReaderState.StartArray)
                    {
                        compact = r.ReadCompactHlcs();
                    }
                    else
                    {
                        hlcs = r.HlcMap();
                    }

                    break;
                case 4:
                    deleted = r.OptionalHlc();
                    deletedSeen = true;
                    break;
                case 5:
                    version = r.Integer();
                    break;
                case 6:
                    crdt = new Dictionary<string, CrdtStateMessage>(StringComparer.Ordinal);
                    r.StartMap();
                    while (r.Reader.PeekState() != System.Formats.Cbor.CborReaderState.EndMap)
                    {
                        string name = r.Text();
                        crdt[name] = ReadState(r);
                    }

                    r.Reader.ReadEndMap();
                    break;
                default:
                    throw Unknown(key);
            }
        }

        if (compact is not null)
        {
            // The compact readings name no fields: they follow the order of the fields' members.
            hlcs = r.ExpandHlcs(compact, fields is null ? throw Missing("fields") : names);
        }

        return new RecordMessage
        {
            Collection = collection ?? throw Missing("collection"),
            Id = id ?? throw Missing("id"),
            Fields = fields ?? throw Missing("fields"),
            Hlcs = hlcs ?? throw Missing("hlcs"),
            Deleted = deletedSeen ? deleted : throw Missing("deleted"),
            Version = version ?? throw Missing("version"),
            Crdt = crdt,
        };
    }

    private CrdtStateMessage ReadState(CborMessageReader r)
    {
        string? type = null;
        Dictionary<string, long>? p = null, n = null;
        List<SetEntryMessage>? entries = null;
        byte[]? state = null, delta = null;
        r.StartMap();
        ulong seen = 0;
        while (r.NextKey() is int key)
        {
            Once(ref seen, key);
            switch (key)
            {
                case 0:
                    type = r.Text();
                    break;
                case 1:
                    p = ReadTotals(r);
                    break;
                case 2:
                    n = ReadTotals(r);
                    break;
                case 3:
                    entries = [];
                    r.StartArray();
                    while (r.NextItem())
                    {
                        r.StartArray();
                        RawJsonValue value = r.Json();
                        string tag = r.Text();
                        r.Reader.ReadEndArray();
                        entries.Add(new SetEntryMessage { Value = value, Tag = tag });
                    }

                    break;
                case 4:
                    state = r.Bytes();
                    break;
                case 5:
                    delta = r.Bytes();
                    break;
                default:
                    throw Unknown(key);
            }
        }

        return new CrdtStateMessage { Type = type ?? throw Missing("type"), P = p, N = n, Entries = entries, State = state, Delta = delta };
    }

    private static Dictionary<string, long> ReadTotals(CborMessageReader r)
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        r.StartMap();
        while (r.Reader.PeekState() != System.Formats.Cbor.CborReaderState.EndMap)
        {
            totals[r.Text()] = r.Integer();
        }

        r.Reader.ReadEndMap();
        return totals;
    }

    private ErrorResponse ReadErrorResponse(CborMessageReader r)
    {
        ErrorBody? error = null;
        r.StartMap();
        while (r.NextKey() is int key)
        {
            error = key == 0 && error is null ? ReadErrorBody(r) : throw Unknown(key);
        }

        return new ErrorResponse { Error = error ?? throw Missing("error") };
    }

    private ErrorBody ReadErrorBody(CborMessageReader r)
    {
        string? code = null, message = null, helpUrl = null;
        Dictionary<string, object>? meta = null;
        r.StartMap();
        ulong seen = 0;
        while (r.NextKey() is int key)
        {
            Once(ref seen, key);
            switch (key)
            {
                case 0:
                    code = r.Text();
                    break;
                case 1:
                    message = r.Text();
                    break;
                case 2:
                    helpUrl = r.Text();
                    break;
                case 3:
                    meta = r.Json(8).ToElement().EnumerateObject().ToDictionary(p => p.Name, p => (object)p.Value.Clone(), StringComparer.Ordinal);
                    break;
                default:
                    throw Unknown(key);
            }
        }

        return new ErrorBody { Code = code ?? throw Missing("code"), Message = message ?? throw Missing("message"), HelpUrl = helpUrl ?? throw Missing("helpUrl"), Meta = meta };
    }
}

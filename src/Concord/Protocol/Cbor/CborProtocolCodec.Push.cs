using Concord.Records;

namespace Concord.Protocol.Cbor;

/// <summary>Push messages: requests, changes, CRDT operations, results.</summary>
public sealed partial class CborProtocolCodec
{
    private static readonly string[] Kinds = ["put", "patch", "delete"];
    private static readonly string[] Statuses = [ChangeStatus.Applied, ChangeStatus.Duplicate, ChangeStatus.Rejected];

    private static void Write(CborMessageWriter w, PushRequest push)
    {
        w.Writer.WriteStartMap(2);
        w.Writer.WriteUInt32(0);
        w.Id(push.ClientId);
        w.Writer.WriteUInt32(1);
        w.Writer.WriteStartArray(push.Changes.Count);
        foreach (ChangeMessage change in push.Changes)
        {
            Write(w, change);
        }

        w.Writer.WriteEndArray();
        w.Writer.WriteEndMap();
    }

    private static void Write(CborMessageWriter w, ChangeMessage change)
    {
        w.Writer.WriteStartMap(5 + (change.Fields is null ? 0 : 1) + (change.BaseVersion is null ? 0 : 1) + (change.Crdt is null ? 0 : 1));
        w.Writer.WriteUInt32(0);
        w.Id(change.OpId);
        w.Writer.WriteUInt32(1);
        w.Text(change.Collection);
        w.Writer.WriteUInt32(2);
        w.Id(change.Id);
        w.Writer.WriteUInt32(3);
        int kind = Array.IndexOf(Kinds, change.Kind);
        if (kind >= 0)
        {
            w.Writer.WriteUInt32((uint)kind);
        }
        else
        {
            w.Text(change.Kind);
        }

        if (change.Fields is { } fields)
        {
            w.Writer.WriteUInt32(4);
            w.Fields(fields);
        }

        w.Writer.WriteUInt32(5);
        w.Hlc(change.Hlc);
        if (change.BaseVersion is { } baseVersion)
        {
            w.Writer.WriteUInt32(6);
            w.Writer.WriteInt64(baseVersion);
        }

        if (change.Crdt is { } operations)
        {
            w.Writer.WriteUInt32(7);
            w.Writer.WriteStartMap(operations.Count);
            foreach ((string name, CrdtOperationMessage operation) in operations)
            {
                w.Text(name);
                Write(w, operation);
            }

            w.Writer.WriteEndMap();
        }

        w.Writer.WriteEndMap();
    }

    private static void Write(CborMessageWriter w, CrdtOperationMessage operation)
    {
        w.Writer.WriteStartMap(1 + (operation.Delta is null ? 0 : 1) + (operation.Add is null ? 0 : 1) + (operation.Remove is null ? 0 : 1) + (operation.Update is null ? 0 : 1));
        w.Writer.WriteUInt32(0);
        w.Text(operation.Type);
        if (operation.Delta is { } delta)
        {
            w.Writer.WriteUInt32(1);
            w.Writer.WriteInt64(delta);
        }

        if (operation.Add is { } adds)
        {
            w.Writer.WriteUInt32(2);
            w.Writer.WriteStartArray(adds.Count);
            foreach (RawJsonValue value in adds)
            {
                w.Json(value);
            }

            w.Writer.WriteEndArray();
        }

        if (operation.Remove is { } removes)
        {
            w.Writer.WriteUInt32(3);
            w.Writer.WriteStartArray(removes.Count);
            foreach (string tag in removes)
            {
                w.Text(tag);
            }

            w.Writer.WriteEndArray();
        }

        if (operation.Update is { } update)
        {
            w.Writer.WriteUInt32(4);
            w.Bytes(update);
        }

        w.Writer.WriteEndMap();
    }

    private static void Write(CborMessageWriter w, PushResponse response)
    {
        w.Writer.WriteStartMap(2);
        w.Writer.WriteUInt32(0);
        w.Writer.WriteStartArray(response.Results.Count);
        foreach (ChangeResultMessage result in response.Results)
        {
            w.Writer.WriteStartMap(2 + (result.Version is null ? 0 : 1) + (result.Error is null ? 0 : 1));
            w.Writer.WriteUInt32(0);
            w.Id(result.OpId);
            w.Writer.WriteUInt32(1);
            w.Writer.WriteUInt32((uint)Math.Max(0, Array.IndexOf(Statuses, result.Status)));
            if (result.Version is { } version)
            {
                w.Writer.WriteUInt32(2);
                w.Writer.WriteInt64(version);
            }

            if (result.Error is { } error)
            {
                w.Writer.WriteUInt32(3);
                Write(w, error);
            }

            w.Writer.WriteEndMap();
        }

        w.Writer.WriteEndArray();
        w.Writer.WriteUInt32(1);
        w.Hlc(response.Hlc);
        w.Writer.WriteEndMap();
    }

    private PushRequest ReadPushRequest(CborMessageReader r)
    {
        string? clientId = null;
        List<ChangeMessage>? changes = null;
        r.StartMap();
        ulong seen = 0;
        while (r.NextKey() is int key)
        {
            Once(ref seen, key);
            switch (key)
            {
                case 0:
                    clientId = r.Id();
                    break;
                case 1:
                    changes = r.Array(x => ReadChange(x));

                    break;
                default:
                    throw Unknown(key);
            }
        }

        return new PushRequest { ClientId = clientId ?? throw Missing("clientId"), Changes = changes ?? throw Missing("changes") };
    }

    private ChangeMessage ReadChange(CborMessageReader r)
    {
        string? opId = null, collection = null, id = null, kind = null, hlc = null;
        RawJsonValue? fields = null;
        long? baseVersion = null;
        Dictionary<string, CrdtOperationMessage>? crdt = null;
        r.StartMap();
        ulong seen = 0;
        while (r.NextKey() is int key)
        {
            Once(ref seen, key);
            switch (key)
            {
                case 0:
                    opId = r.Id();
                    break;
                case 1:
                    collection = r.Text();
                    break;
                case 2:
                    id = r.Id();
                    break;
                case 3:
                    kind = r.Reader.PeekState() == System.Formats.Cbor.CborReaderState.UnsignedInteger
                        ? (r.Reader.ReadUInt64() is var k && k < (ulong)Kinds.Length ? Kinds[k] : $"#{k}")
                        : r.Text();
                    break;
                case 4:
                    fields = r.IsNull() ? null : r.Reader.PeekState() is System.Formats.Cbor.CborReaderState.StartArray or System.Formats.Cbor.CborReaderState.StartMap ? r.JsonObject(Cleared(r.ScratchNames)) : r.Json();
                    break;
                case 5:
                    hlc = r.Hlc();
                    break;
                case 6:
                    baseVersion = r.IsNull() ? null : r.Integer();
                    break;
                case 7:
                    crdt = new Dictionary<string, CrdtOperationMessage>(StringComparer.Ordinal);
                    r.StartMap();
                    while (r.Reader.PeekState() != System.Formats.Cbor.CborReaderState.EndMap)
                    {
                        string name = r.Text();
                        if (!crdt.TryAdd(name, ReadOperation(r)))
                        {
                            throw new FormatException("crdt names a field twice.");
                        }
                    }

                    r.Reader.ReadEndMap();
                    break;
                default:
                    throw Unknown(key);
            }
        }

        return new ChangeMessage
        {
            OpId = opId ?? throw Missing("opId"),
            Collection = collection ?? throw Missing("collection"),
            Id = id ?? throw Missing("id"),
            Kind = kind ?? throw Missing("kind"),
            Fields = fields,
            Hlc = hlc ?? throw Missing("hlc"),
            BaseVersion = baseVersion,
            Crdt = crdt,
        };
    }

    private CrdtOperationMessage ReadOperation(CborMessageReader r)
    {
        string? type = null;
        long? delta = null;
        List<RawJsonValue>? adds = null;
        List<string>? removes = null;
        byte[]? update = null;
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
                    delta = r.Integer();
                    break;
                case 2:
                    adds = r.Array(x => x.Json());

                    break;
                case 3:
                    removes = r.Array(x => x.Text());

                    break;
                case 4:
                    update = r.Bytes();
                    break;
                default:
                    throw Unknown(key);
            }
        }

        return new CrdtOperationMessage { Type = type ?? throw Missing("type"), Delta = delta, Add = adds, Remove = removes, Update = update };
    }

    private PushResponse ReadPushResponse(CborMessageReader r)
    {
        List<ChangeResultMessage>? results = null;
        string? hlc = null;
        r.StartMap();
        ulong seen = 0;
        while (r.NextKey() is int key)
        {
            Once(ref seen, key);
            switch (key)
            {
                case 0:
                    results = r.Array(x => ReadResult(x));

                    break;
                case 1:
                    hlc = r.Hlc();
                    break;
                default:
                    throw Unknown(key);
            }
        }

        return new PushResponse { Results = results ?? throw Missing("results"), Hlc = hlc ?? throw Missing("hlc") };
    }

    private ChangeResultMessage ReadResult(CborMessageReader r)
    {
        string? opId = null, status = null;
        long? version = null;
        ErrorBody? error = null;
        r.StartMap();
        ulong seen = 0;
        while (r.NextKey() is int key)
        {
            Once(ref seen, key);
            switch (key)
            {
                case 0:
                    opId = r.Id();
                    break;
                case 1:
                    ulong s = r.Reader.ReadUInt64();
                    status = s < (ulong)Statuses.Length ? Statuses[s] : throw new FormatException("Unknown status.");
                    break;
                case 2:
                    version = r.Integer();
                    break;
                case 3:
                    error = ReadErrorBody(r);
                    break;
                default:
                    throw Unknown(key);
            }
        }

        return new ChangeResultMessage { OpId = opId ?? throw Missing("opId"), Status = status ?? throw Missing("status"), Version = version, Error = error };
    }

    private static List<ReadOnlyMemory<byte>> Cleared(List<ReadOnlyMemory<byte>> list)
    {
        list.Clear();
        return list;
    }

    private static void Once(ref ulong seen, int key)
    {
        ulong bit = 1UL << key;
        if ((seen & bit) != 0)
        {
            throw new FormatException($"Key {key} appears twice.");
        }

        seen |= bit;
    }

    private static FormatException Unknown(int key) => new($"Unknown key {key}.");

    private static FormatException Missing(string member) => new($"Missing {member}.");
}

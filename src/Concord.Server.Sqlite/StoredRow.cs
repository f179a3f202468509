using System.Buffers;
using System.Text.Json;
using Concord.Clock;
using Concord.Protocol.Json;
using Concord.Records;
using Concord.Server.Storage;

namespace Concord.Server.Sqlite;

/// <summary>
/// A record's row in <c>concord_records</c>, serialized and ready to bind. Making it is most of the
/// managed work a change costs under the writer lock, so it is made beside the statements that write
/// the rows before it (see <see cref="BatchMerge"/>).
/// </summary>
internal sealed class StoredRow
{
    private StoredRow(RecordState state, byte[] fields, (HlcTimestamp Common, long CommonVersion, byte[]? Overrides) clocks)
    {
        Collection = state.Collection;
        Id = state.Id;
        Version = state.Version;
        Fields = fields;
        Common = clocks.Common;
        CommonVersion = clocks.CommonVersion;
        Overrides = clocks.Overrides;
        Tombstone = state.Tombstone;
        Watermark = state.Watermark;
        Deleted = state.IsDeleted;
        Crdt = state.Crdt.Count == 0 ? null : CrdtJson.WriteStates(state.Crdt);
    }

    public string Collection { get; }

    public string Id { get; }

    public long Version { get; }

    public byte[] Fields { get; }

    public HlcTimestamp Common { get; }

    public long CommonVersion { get; }

    public byte[]? Overrides { get; }

    public HlcTimestamp Tombstone { get; }

    public HlcTimestamp Watermark { get; }

    public bool Deleted { get; }

    public byte[]? Crdt { get; }

    /// <summary>Serializes <paramref name="state"/> through a writer the caller reuses for every row.</summary>
    public static StoredRow From(RecordState state, ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer)
    {
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        RecordStateJson.WriteFields(state, writer);
        writer.Flush();
        return new StoredRow(state, buffer.WrittenSpan.ToArray(), StoredClocks.Split(state));
    }
}

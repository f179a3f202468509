using Concord.Protocol;
using Concord.Protocol.Json;
using Concord.Records;
using Concord.Validation;

namespace Concord.Client.Outbox;

/// <summary>A local change waiting in the outbox: not yet acknowledged, or acknowledged but not yet pulled back.</summary>
internal sealed record OutboxEntry(
    long Seq,
    string OpId,
    string Collection,
    string Id,
    string Kind,
    string? Fields,
    string Hlc,
    long? BaseVersion,
    long? AckedVersion,
    string? Crdt)
{
    /// <summary>Outbox entries were validated when written; reading them back uses generous limits so that nothing already accepted is refused.</summary>
    private static readonly ChangeValidator Reader = new(new ProtocolLimits { MaxBatchChanges = int.MaxValue, MaxFieldsPerRecord = int.MaxValue });

    public ChangeMessage ToMessage() => new()
    {
        OpId = OpId,
        Collection = Collection,
        Id = Id,
        Kind = Kind,
        Fields = Fields is null ? null : RawJsonValue.FromValidatedUtf8(System.Text.Encoding.UTF8.GetBytes(Fields)),
        Hlc = Hlc,
        BaseVersion = BaseVersion,
        Crdt = Crdt is null ? null : CrdtJson.ReadOperations(Crdt),
    };

    public Change ToChange() =>
        Reader.TryValidate(ToMessage(), out Change? change, out Concord.Errors.SyncError? error)
            ? change
            : throw new InvalidOperationException($"Outbox entry {OpId} no longer reads back: {error.Message}");
}

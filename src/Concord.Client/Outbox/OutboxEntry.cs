using Concord.Clock;
using Concord.Protocol;
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
    long? AckedVersion)
{
    public ChangeMessage ToMessage() => new()
    {
        OpId = OpId,
        Collection = Collection,
        Id = Id,
        Kind = Kind,
        Fields = Fields is null ? null : RawJsonValue.FromValidatedUtf8(System.Text.Encoding.UTF8.GetBytes(Fields)),
        Hlc = Hlc,
        BaseVersion = BaseVersion,
    };

    public Change ToChange()
    {
        ChangeValidator.TryParseKind(Kind, out ChangeKind kind);
        Dictionary<string, RawJsonValue>? fields = null;
        if (Fields is not null)
        {
            fields = new Dictionary<string, RawJsonValue>(StringComparer.Ordinal);
            JsonObjectFields.TrySplit(RawJsonValue.FromValidatedUtf8(System.Text.Encoding.UTF8.GetBytes(Fields)), fields, out _);
        }

        return new Change(OpId, Collection, Id, kind, fields, HlcTimestamp.Parse(Hlc), BaseVersion);
    }
}

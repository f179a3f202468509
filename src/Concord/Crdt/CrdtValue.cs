using Concord.Protocol;
using Concord.Records;

namespace Concord.Crdt;

/// <summary>
/// The state of one CRDT field. Operations apply once each (the server and the outbox deduplicate them by
/// op id); states merge commutatively, associatively and idempotently.
/// </summary>
public abstract class CrdtValue
{
    /// <summary>The field type.</summary>
    public abstract CrdtKind Kind { get; }

    /// <summary>What a client with no CRDT code sees: a number, an array or a string.</summary>
    public abstract RawJsonValue PlainValue { get; }

    /// <summary>An empty value of <paramref name="kind"/>.</summary>
    /// <param name="kind">The field type.</param>
    /// <param name="replica">Text only: the local replica id that edits will be made under.</param>
    public static CrdtValue Create(CrdtKind kind, string replica = "server") => kind switch
    {
        CrdtKind.Counter => new CounterValue(),
        CrdtKind.Set => new SetValue(),
        CrdtKind.Text => new TextValue(replica),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Reads a state from its wire form.</summary>
    /// <exception cref="FormatException">The state is malformed.</exception>
    public static CrdtValue FromMessage(CrdtStateMessage message, string replica = "server")
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!CrdtOperation.TryParseKind(message.Type, out CrdtKind kind))
        {
            throw new FormatException($"Unknown CRDT type '{message.Type}'.");
        }

        CrdtValue value = Create(kind, replica);
        value.Load(message);
        return value;
    }

    /// <summary>Applies one operation of the change <paramref name="opId"/> made by <paramref name="replica"/>.</summary>
    /// <returns>False, with the value unchanged, when the operation cannot apply (wrong type, malformed text update).</returns>
    public abstract bool TryApply(CrdtOperation operation, string opId, string replica, out string? error);

    /// <summary>Merges another state of the same type into this one.</summary>
    /// <exception cref="ArgumentException"><paramref name="other"/> is of another type.</exception>
    public abstract void Merge(CrdtValue other);

    /// <summary>A deep copy.</summary>
    public abstract CrdtValue Clone();

    /// <summary>The whole state in wire form.</summary>
    public abstract CrdtStateMessage ToMessage();

    /// <summary>Whether two values hold the same state.</summary>
    public abstract bool SameAs(CrdtValue other);

    /// <summary>Fills an empty value from its wire form.</summary>
    /// <exception cref="FormatException">The state is malformed.</exception>
    protected abstract void Load(CrdtStateMessage message);
}

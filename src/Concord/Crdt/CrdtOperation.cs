using Concord.Records;

namespace Concord.Crdt;

/// <summary>A validated CRDT operation on one field of a change.</summary>
public sealed class CrdtOperation
{
    private CrdtOperation(CrdtKind kind, long delta, IReadOnlyList<RawJsonValue> adds, IReadOnlyList<string> removes, ReadOnlyMemory<byte> update)
    {
        Kind = kind;
        Delta = delta;
        Adds = adds;
        Removes = removes;
        Update = update;
    }

    /// <summary>The field type the operation is for.</summary>
    public CrdtKind Kind { get; }

    /// <summary>Counter: the amount added (negative: subtracted).</summary>
    public long Delta { get; }

    /// <summary>Set: the values added, tagged <c>{opId}:{index}</c>.</summary>
    public IReadOnlyList<RawJsonValue> Adds { get; }

    /// <summary>Set: the tags removed.</summary>
    public IReadOnlyList<string> Removes { get; }

    /// <summary>Text: the CRDT update.</summary>
    public ReadOnlyMemory<byte> Update { get; }

    /// <summary>Adds <paramref name="delta"/> to a counter.</summary>
    public static CrdtOperation Count(long delta) => new(CrdtKind.Counter, delta, [], [], default);

    /// <summary>Adds and removes set elements.</summary>
    public static CrdtOperation ChangeSet(IReadOnlyList<RawJsonValue> adds, IReadOnlyList<string> removes) =>
        new(CrdtKind.Set, 0, adds ?? throw new ArgumentNullException(nameof(adds)), removes ?? throw new ArgumentNullException(nameof(removes)), default);

    /// <summary>Applies a text update.</summary>
    public static CrdtOperation EditText(ReadOnlyMemory<byte> update) => new(CrdtKind.Text, 0, [], [], update);

    /// <summary>The tag of the <paramref name="index"/>-th add of the change <paramref name="opId"/>.</summary>
    public static string AddTag(string opId, int index) => string.Concat(opId, ":", index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The wire word for a kind.</summary>
    public static string FormatKind(CrdtKind kind) => kind switch
    {
        CrdtKind.Counter => "counter",
        CrdtKind.Set => "set",
        CrdtKind.Text => "text",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Parses a wire word for a kind.</summary>
    public static bool TryParseKind(string? text, out CrdtKind kind)
    {
        switch (text)
        {
            case "counter":
                kind = CrdtKind.Counter;
                return true;
            case "set":
                kind = CrdtKind.Set;
                return true;
            case "text":
                kind = CrdtKind.Text;
                return true;
            default:
                kind = default;
                return false;
        }
    }
}

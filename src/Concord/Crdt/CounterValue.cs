using System.Globalization;
using System.Text;
using Concord.Protocol;
using Concord.Records;

namespace Concord.Crdt;

/// <summary>A counter field: a <see cref="PositiveNegativeCounter"/> keyed by the replica of each change.</summary>
public sealed class CounterValue : CrdtValue
{
    private readonly PositiveNegativeCounter _counter;

    /// <summary>A counter at zero.</summary>
    public CounterValue()
        : this(new PositiveNegativeCounter())
    {
    }

    private CounterValue(PositiveNegativeCounter counter) => _counter = counter;

    /// <inheritdoc />
    public override CrdtKind Kind => CrdtKind.Counter;

    /// <summary>The counter's value.</summary>
    public long Value => _counter.Value;

    /// <inheritdoc />
    public override RawJsonValue PlainValue => RawJsonValue.FromValidatedUtf8(Encoding.UTF8.GetBytes(_counter.Value.ToString(CultureInfo.InvariantCulture)));

    /// <inheritdoc />
    public override bool TryApply(CrdtOperation operation, string opId, string replica, out string? error)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operation.Kind != CrdtKind.Counter)
        {
            error = "The field is a counter.";
            return false;
        }

        try
        {
            _counter.Add(replica, operation.Delta);
        }
        catch (OverflowException)
        {
            error = "The counter would overflow.";
            return false;
        }

        error = null;
        return true;
    }

    /// <inheritdoc />
    public override void Merge(CrdtValue other) => _counter.Merge(Same(other)._counter);

    /// <inheritdoc />
    public override CrdtValue Clone() => new CounterValue(_counter.Clone());

    /// <inheritdoc />
    public override CrdtStateMessage ToMessage() => new()
    {
        Type = "counter",
        P = new Dictionary<string, long>(_counter.Increments),
        N = new Dictionary<string, long>(_counter.Decrements),
    };

    /// <inheritdoc />
    public override bool SameAs(CrdtValue other) =>
        other is CounterValue counter && counter._counter.Increments.SequenceEqual(_counter.Increments) && counter._counter.Decrements.SequenceEqual(_counter.Decrements);

    /// <inheritdoc />
    protected override void Load(CrdtStateMessage message)
    {
        try
        {
            foreach (string replica in (message.P?.Keys ?? []).Union(message.N?.Keys ?? []))
            {
                _counter.Observe(replica, message.P?.GetValueOrDefault(replica) ?? 0, message.N?.GetValueOrDefault(replica) ?? 0);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or OverflowException)
        {
            throw new FormatException("A counter state is malformed.", ex);
        }
    }

    private static CounterValue Same(CrdtValue other) =>
        other as CounterValue ?? throw new ArgumentException("A counter merges only with a counter.", nameof(other));
}

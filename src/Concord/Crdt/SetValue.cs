using System.Text;
using Concord.Protocol;
using Concord.Records;

namespace Concord.Crdt;

/// <summary>A set field: an <see cref="ObservedRemoveSet"/> of JSON values, add-wins.</summary>
public sealed class SetValue : CrdtValue
{
    private readonly ObservedRemoveSet _set;

    /// <summary>An empty set.</summary>
    public SetValue()
        : this(new ObservedRemoveSet())
    {
    }

    private SetValue(ObservedRemoveSet set) => _set = set;

    /// <inheritdoc />
    public override CrdtKind Kind => CrdtKind.Set;

    /// <summary>The elements (JSON texts) in ordinal order.</summary>
    public IEnumerable<string> Elements => _set.Elements;

    /// <summary>The tags an element is present under: what removing it must name.</summary>
    public IReadOnlyCollection<string> TagsOf(RawJsonValue element) => _set.TagsOf(element.ToString());

    /// <inheritdoc />
    public override RawJsonValue PlainValue
    {
        get
        {
            var text = new StringBuilder("[");
            foreach (string element in _set.Elements)
            {
                if (text.Length > 1)
                {
                    text.Append(',');
                }

                text.Append(element);
            }

            return RawJsonValue.FromValidatedUtf8(Encoding.UTF8.GetBytes(text.Append(']').ToString()));
        }
    }

    /// <inheritdoc />
    public override bool TryApply(CrdtOperation operation, string opId, string replica, out string? error)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operation.Kind != CrdtKind.Set)
        {
            error = "The field is a set.";
            return false;
        }

        // Removes first: a change that removes and re-adds a value keeps the value.
        _set.Remove(operation.Removes);
        for (int i = 0; i < operation.Adds.Count; i++)
        {
            _set.Add(operation.Adds[i].ToString(), CrdtOperation.AddTag(opId, i));
        }

        error = null;
        return true;
    }

    /// <inheritdoc />
    public override void Merge(CrdtValue other) =>
        _set.Merge((other as SetValue ?? throw new ArgumentException("A set merges only with a set.", nameof(other)))._set);

    /// <inheritdoc />
    public override CrdtValue Clone() => new SetValue(_set.Clone());

    /// <inheritdoc />
    public override CrdtStateMessage ToMessage() => new()
    {
        Type = "set",
        Entries = _set.Entries.Select(e => new SetEntryMessage { Value = RawJsonValue.FromValidatedUtf8(Encoding.UTF8.GetBytes(e.Key)), Tag = e.Value }).ToArray(),
    };

    /// <inheritdoc />
    public override bool SameAs(CrdtValue other) => other is SetValue set && set._set.SameAs(_set);

    /// <inheritdoc />
    protected override void Load(CrdtStateMessage message)
    {
        foreach (SetEntryMessage entry in message.Entries ?? [])
        {
            if (string.IsNullOrEmpty(entry.Tag))
            {
                throw new FormatException("A set entry has no tag.");
            }

            _set.Add(entry.Value.ToString(), entry.Tag);
        }
    }
}

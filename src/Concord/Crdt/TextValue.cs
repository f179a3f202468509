using Concord.Crdt.Text;
using Concord.Protocol;
using Concord.Records;

namespace Concord.Crdt;

/// <summary>A text field: a <see cref="ReplicatedText"/> whose plain value is the visible string.</summary>
public sealed class TextValue : CrdtValue
{
    private ReplicatedText _text;
    private RawJsonValue? _plain;

    /// <summary>Empty text, edited locally as <paramref name="replica"/>.</summary>
    public TextValue(string replica) => _text = new ReplicatedText(replica);

    private TextValue(ReplicatedText text) => _text = text;

    /// <inheritdoc />
    public override CrdtKind Kind => CrdtKind.Text;

    /// <summary>One update equivalent to all of <paramref name="updates"/>, for sending many as one.</summary>
    public static byte[] MergeUpdates(IEnumerable<byte[]> updates) => ReplicatedText.MergeUpdates(updates);

    /// <summary>The text CRDT itself, for local edits.</summary>
    public ReplicatedText Text => _text;

    /// <inheritdoc />
    public override RawJsonValue PlainValue => _plain ??= RawJsonValue.FromValidatedUtf8(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(_text.ToString(), Protocol.Json.ConcordJsonContext.Default.String));

    /// <summary>Forget the cached plain value after a local edit of <see cref="Text"/>.</summary>
    public void Touch() => _plain = null;

    /// <inheritdoc />
    public override bool TryApply(CrdtOperation operation, string opId, string replica, out string? error)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operation.Kind != CrdtKind.Text)
        {
            error = "The field is text.";
            return false;
        }

        if (!_text.TryApplyUpdate(operation.Update.Span, out error))
        {
            return false;
        }

        _plain = null;
        return true;
    }

    /// <inheritdoc />
    public override void Merge(CrdtValue other)
    {
        var text = other as TextValue ?? throw new ArgumentException("Text merges only with text.", nameof(other));
        _text.ApplyUpdate(text._text.EncodeState());
        _plain = null;
    }

    /// <inheritdoc />
    public override CrdtValue Clone() => new TextValue(ReplicatedText.Decode(_text.EncodeState(), _text.ReplicaId));

    /// <inheritdoc />
    public override CrdtStateMessage ToMessage() => new() { Type = "text", State = _text.EncodeState() };

    /// <inheritdoc />
    public override bool SameAs(CrdtValue other) => other is TextValue text && text._text.ToString() == _text.ToString();

    /// <inheritdoc />
    protected override void Load(CrdtStateMessage message)
    {
        if (message.State is { } state)
        {
            _text = ReplicatedText.Decode(state, _text.ReplicaId);
        }

        if (message.Delta is { } delta)
        {
            _text.ApplyUpdate(delta);
        }

        _plain = null;
    }
}

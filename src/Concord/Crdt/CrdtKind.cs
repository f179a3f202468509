namespace Concord.Crdt;

/// <summary>The field types that merge by their own rules instead of last-writer-wins.</summary>
public enum CrdtKind
{
    /// <summary>A PN-counter: increments and decrements from any replica all count.</summary>
    Counter,

    /// <summary>An observed-remove set: an add concurrent with a remove survives.</summary>
    Set,

    /// <summary>Collaboratively edited plain text (a sequence CRDT).</summary>
    Text,
}

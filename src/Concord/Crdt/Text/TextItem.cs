namespace Concord.Crdt.Text;

/// <summary>
/// One run of characters inserted by one replica with consecutive clocks, as stored in a
/// <see cref="ReplicatedText"/>. Items live in one array and link to their neighbours by index,
/// so a document holds no object per character and none per item.
/// </summary>
/// <remarks>
/// Character <c>i</c> of a run (0-based) has the id <c>(Client, Clock + i)</c>. Its left origin is the
/// run's left origin for <c>i == 0</c> and the previous character of the run otherwise; every character
/// shares the run's right origin. That is why a run can be split anywhere and the two halves still
/// describe exactly the same characters.
/// </remarks>
internal struct TextItem
{
    /// <summary>Index of the inserting replica in the document's replica table.</summary>
    public int Client;

    /// <summary>Clock of the first character.</summary>
    public int Clock;

    /// <summary>Number of characters (UTF-16 code units) in the run.</summary>
    public int Length;

    /// <summary>Previous item in document order, or -1.</summary>
    public int Left;

    /// <summary>Next item in document order, or -1.</summary>
    public int Right;

    /// <summary>Replica of the left origin, or -1 when the run was inserted at the start.</summary>
    public int OriginLeftClient;

    /// <summary>Clock of the left origin.</summary>
    public int OriginLeftClock;

    /// <summary>Replica of the right origin, or -1 when the run was inserted at the end.</summary>
    public int OriginRightClient;

    /// <summary>Clock of the right origin.</summary>
    public int OriginRightClock;

    /// <summary>Offset of the content in the document's character buffer; -1 once deleted (the content is dropped).</summary>
    public int ContentStart;

    /// <summary>Whether the run is a tombstone.</summary>
    public bool Deleted;

    /// <summary>Number of visible characters.</summary>
    public readonly int VisibleLength => Deleted ? 0 : Length;

    /// <summary>Clock just past the last character.</summary>
    public readonly int EndClock => Clock + Length;
}

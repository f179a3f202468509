namespace Concord.Crdt.Text;

/// <summary>A deleted range of clocks of one replica.</summary>
internal struct DeleteRecord
{
    public int Replica;
    public int Clock;
    public int Length;
}

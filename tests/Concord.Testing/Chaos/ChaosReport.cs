namespace Concord.Testing.Chaos;

/// <summary>What a chaos run did: writes, faults injected, and how long writing and converging took.</summary>
public sealed record ChaosReport(
    string Profile,
    int Seed,
    int Clients,
    long Writes,
    long Increments,
    long AppliedOps,
    long Connections,
    long Resets,
    long Cuts,
    int OtherFaults,
    TimeSpan Writing,
    TimeSpan Converging)
{
    public long FaultsInjected => Resets + Cuts + OtherFaults;

    public override string ToString() =>
        $"chaos [{Profile}] seed {Seed}: {Clients} clients, {Writes} writes ({Increments} increments), {AppliedOps} applied on the server, " +
        $"{FaultsInjected} faults ({Resets} resets, {Cuts} cuts, {OtherFaults} partitions/kills) over {Connections} connections; " +
        $"wrote for {Writing.TotalSeconds:N1} s, converged in {Converging.TotalSeconds:N1} s; nothing lost, nothing applied twice";
}

namespace Concord.Client;

/// <summary>How much local work waits for the server.</summary>
/// <param name="Count">Changes not yet acknowledged.</param>
/// <param name="Bytes">Their size in bytes, as stored.</param>
/// <param name="BatchesInFlight">Push batches sent and not yet answered.</param>
public readonly record struct QueueStats(long Count, long Bytes, int BatchesInFlight);

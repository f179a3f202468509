namespace Concord.Server.Storage;

/// <summary>Which records a pull page holds.</summary>
/// <param name="AfterVersion">Only records whose version is greater.</param>
/// <param name="Limit">At most this many records.</param>
/// <param name="Collections">Only these collections; all when null.</param>
/// <param name="Deltas">Text fields as the changes since <paramref name="AfterVersion"/> instead of their whole value and state.</param>
public sealed record PageRequest(long AfterVersion, int Limit, IReadOnlyList<string>? Collections, bool Deltas = false);

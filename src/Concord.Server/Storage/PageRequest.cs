namespace Concord.Server.Storage;

/// <summary>Which records a pull page holds.</summary>
/// <param name="AfterVersion">Only records whose version is greater.</param>
/// <param name="Limit">At most this many records.</param>
/// <param name="Collections">Only these collections; all when null.</param>
public sealed record PageRequest(long AfterVersion, int Limit, IReadOnlyList<string>? Collections);

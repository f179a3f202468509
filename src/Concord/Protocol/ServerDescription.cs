namespace Concord.Protocol;

/// <summary><c>GET {base}/sync.json</c>: what the server speaks and allows.</summary>
public sealed class ServerDescription
{
    /// <summary>Always <c>concord</c>.</summary>
    public string Server { get; init; } = "concord";

    /// <summary>The server software's version.</summary>
    public required string Version { get; init; }

    /// <summary>Protocol versions spoken, newest last.</summary>
    public required IReadOnlyList<int> ProtocolVersions { get; init; }

    /// <summary>Media types accepted and produced.</summary>
    public required IReadOnlyList<string> Encodings { get; init; }

    /// <summary>The limits enforced.</summary>
    public required ProtocolLimits Limits { get; init; }

    /// <summary>Largest allowed clock lead of a change over the server's wall clock, in milliseconds.</summary>
    public required long MaxClockDriftMs { get; init; }

    /// <summary>The collections the server declares.</summary>
    public required IReadOnlyList<CollectionDescription> Collections { get; init; }

    /// <summary>Whether changes to collections not declared are accepted.</summary>
    public required bool AllowUndeclaredCollections { get; init; }
}

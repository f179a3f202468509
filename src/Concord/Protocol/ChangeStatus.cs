namespace Concord.Protocol;

/// <summary>The outcome words of a push result.</summary>
public static class ChangeStatus
{
    /// <summary>Merged now, at the version given.</summary>
    public const string Applied = "applied";

    /// <summary>Applied before (same op id); the version is the one it was first applied at.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>Refused; the error says why. The rest of the batch is unaffected.</summary>
    public const string Rejected = "rejected";
}

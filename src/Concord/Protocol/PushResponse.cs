namespace Concord.Protocol;

/// <summary><c>POST {base}/push</c> answer: <c>{"results":[…],"hlc"}</c>.</summary>
public sealed class PushResponse
{
    /// <summary>One result per change, in request order.</summary>
    public required IReadOnlyList<ChangeResultMessage> Results { get; init; }

    /// <summary>The server's clock reading; the client folds it into its own clock.</summary>
    public required string Hlc { get; init; }
}

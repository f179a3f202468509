namespace Concord.Protocol;

/// <summary><c>POST {base}/push</c> body: <c>{"clientId","changes":[…]}</c>.</summary>
public sealed class PushRequest
{
    /// <summary>The replica sending the batch.</summary>
    public required string ClientId { get; init; }

    /// <summary>The changes, applied in order in one transaction.</summary>
    public required IReadOnlyList<ChangeMessage> Changes { get; init; }
}

namespace Concord.Protocol;

/// <summary><c>POST {base}/pull</c> answer: <c>{"records":[…],"cursor","hasMore","hlc"}</c>.</summary>
public sealed class PullResponse
{
    /// <summary>Records changed since the cursor, each once, in version order.</summary>
    public required IReadOnlyList<RecordMessage> Records { get; init; }

    /// <summary>The cursor to send next time.</summary>
    public required string Cursor { get; init; }

    /// <summary>Whether another page follows right away.</summary>
    public required bool HasMore { get; init; }

    /// <summary>The server's clock reading.</summary>
    public required string Hlc { get; init; }
}

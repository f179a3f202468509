namespace Concord.Protocol;

/// <summary><c>POST {base}/pull</c> answer: <c>{"records":[…],"cursor","hasMore","hlc"}</c>.</summary>
public sealed class PullResponse
{
    /// <summary>Records changed since the cursor, each once, in version order.</summary>
    [System.Text.Json.Serialization.JsonRequired]
    public IReadOnlyList<RecordMessage> Records { get; set; } = null!;

    /// <summary>The cursor to send next time.</summary>
    [System.Text.Json.Serialization.JsonRequired]
    public string Cursor { get; set; } = null!;

    /// <summary>Whether another page follows right away.</summary>
    [System.Text.Json.Serialization.JsonRequired]
    public bool HasMore { get; set; }

    /// <summary>The server's clock reading.</summary>
    [System.Text.Json.Serialization.JsonRequired]
    public string Hlc { get; set; } = null!;
}

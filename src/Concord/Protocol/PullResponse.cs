using System.Text.Json.Serialization;

namespace Concord.Protocol;

/// <summary><c>POST {base}/pull</c> answer: <c>{"records":[…],"cursor","hasMore","hlc"}</c>.</summary>
public sealed class PullResponse
{
    /// <summary>Records changed since the cursor, each once, in version order.</summary>
    [JsonRequired]
    public IReadOnlyList<RecordMessage> Records { get; set; } = null!;

    /// <summary>The cursor to send next time.</summary>
    [JsonRequired]
    public string Cursor { get; set; } = null!;

    /// <summary>Whether another page follows right away.</summary>
    [JsonRequired]
    public bool HasMore { get; set; }

    /// <summary>The server's clock reading.</summary>
    [JsonRequired]
    public string Hlc { get; set; } = null!;
}

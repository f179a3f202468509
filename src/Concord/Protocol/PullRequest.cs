namespace Concord.Protocol;

/// <summary><c>POST {base}/pull</c> body: <c>{"cursor":null|"…","limit"?,"collections"?}</c>.</summary>
public sealed class PullRequest
{
    /// <summary>Where the last pull ended; null for everything.</summary>
    public string? Cursor { get; set; }

    /// <summary>Page size; the server's default when absent, cut to its maximum.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? Limit { get; set; }

    /// <summary>Only these collections; all when absent.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Collections { get; set; }

    /// <summary>
    /// True from a client that keeps CRDT state: text fields then come as the changes since the cursor
    /// (<c>crdt.{field}.delta</c>) instead of their whole value and state.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public bool? Deltas { get; set; }
}

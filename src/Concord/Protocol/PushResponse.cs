using System.Text.Json.Serialization;

namespace Concord.Protocol;

/// <summary><c>POST {base}/push</c> answer: <c>{"results":[…],"hlc"}</c>.</summary>
public sealed class PushResponse
{
    /// <summary>One result per change, in request order.</summary>
    [JsonRequired]
    public IReadOnlyList<ChangeResultMessage> Results { get; set; } = null!;

    /// <summary>The server's clock reading; the client folds it into its own clock.</summary>
    [JsonRequired]
    public string Hlc { get; set; } = null!;
}

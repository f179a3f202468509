using System.Text.Json.Serialization;

namespace Concord.Protocol;

/// <summary><c>POST {base}/push</c> body: <c>{"clientId","changes":[…]}</c>.</summary>
public sealed class PushRequest
{
    /// <summary>The replica sending the batch.</summary>
    [JsonRequired]
    public string ClientId { get; set; } = null!;

    /// <summary>The changes, applied in order in one transaction.</summary>
    [JsonRequired]
    public IReadOnlyList<ChangeMessage> Changes { get; set; } = null!;
}

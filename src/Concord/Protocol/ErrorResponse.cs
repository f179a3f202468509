namespace Concord.Protocol;

/// <summary>Every error body: <c>{"error":{…}}</c>.</summary>
public sealed class ErrorResponse
{
    /// <summary>The error.</summary>
    public required ErrorBody Error { get; init; }
}

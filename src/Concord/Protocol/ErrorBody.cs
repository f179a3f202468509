using System.Text.Json.Serialization;
using Concord.Errors;

namespace Concord.Protocol;

/// <summary>The wire form of a <see cref="SyncError"/>: <c>{"code","message","helpUrl","meta"?}</c>.</summary>
public sealed class ErrorBody
{
    /// <summary>The <c>SYNC:*</c> code.</summary>
    public required string Code { get; init; }

    /// <summary>What went wrong.</summary>
    public required string Message { get; init; }

    /// <summary>Link to the code's documentation.</summary>
    public required string HelpUrl { get; init; }

    /// <summary>Machine-readable details.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, object>? Meta { get; init; }

    /// <summary>The wire form of <paramref name="error"/>.</summary>
    public static ErrorBody From(SyncError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new ErrorBody { Code = error.Code, Message = error.Message, HelpUrl = error.HelpUrl, Meta = error.Meta };
    }

    /// <summary>Back to a <see cref="SyncError"/>.</summary>
    public SyncError ToError() => new(Code, Message, HelpUrl, Meta);
}

namespace Concord.Errors;

/// <summary>Thrown by client APIs when the server, or a local check, answers with a <see cref="SyncError"/>.</summary>
public sealed class SyncException : Exception
{
    /// <summary>Wraps an error.</summary>
    public SyncException(SyncError error)
        : base(error?.ToString())
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    /// <summary>Wraps an error and the failure that caused it.</summary>
    public SyncException(SyncError error, Exception innerException)
        : base(error?.ToString(), innerException)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    /// <summary>The error.</summary>
    public SyncError Error { get; }

    /// <summary>Shortcut for <see cref="SyncError.Code"/>.</summary>
    public string Code => Error.Code;
}

using Concord.Errors;

namespace Concord.Client;

/// <summary>
/// Raised when the server refuses a local change for good. The change has left the outbox and
/// the record's view no longer shows it.
/// </summary>
public sealed class ChangeRejectedEventArgs(string opId, string collection, string id, string kind, SyncError error) : EventArgs
{
    /// <summary>The change's op id.</summary>
    public string OpId { get; } = opId;

    /// <summary>The record's collection.</summary>
    public string Collection { get; } = collection;

    /// <summary>The record's id.</summary>
    public string Id { get; } = id;

    /// <summary><c>put</c>, <c>patch</c> or <c>delete</c>.</summary>
    public string Kind { get; } = kind;

    /// <summary>Why the server refused it.</summary>
    public SyncError Error { get; } = error;
}

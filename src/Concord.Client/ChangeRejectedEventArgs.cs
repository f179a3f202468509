using Concord.Errors;

namespace Concord.Client;

/// <summary>
/// Raised when the server refuses a local change, in whole or in part (a server-wins conflict names
/// the losing fields in <c>Error.Meta["fields"]</c>). What it refused no longer shows in the view once
/// the record is rebased on the server's state.
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

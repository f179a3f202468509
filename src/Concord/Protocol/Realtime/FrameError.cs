using Concord.Errors;

namespace Concord.Protocol.Realtime;

/// <summary>A frame that could not be read, and the id of the request it was when that much could be read.</summary>
/// <param name="Error">What is wrong with it.</param>
/// <param name="Id">The request's id, so that the error answers it.</param>
public sealed record FrameError(SyncError Error, FrameId? Id);

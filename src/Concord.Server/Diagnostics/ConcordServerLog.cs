using Microsoft.Extensions.Logging;

namespace Concord.Server.Diagnostics;

/// <summary>Server log messages. Event ids 2000-2999 belong to the server. Never logs payloads or secrets.</summary>
internal static partial class ConcordServerLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Store ready (epoch {Epoch})")]
    public static partial void StoreReady(ILogger logger, Guid epoch);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Debug, Message = "Refused {OpId}: clock {AheadMs} ms ahead")]
    public static partial void ClockDriftRefused(ILogger logger, string opId, long aheadMs);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Debug, Message = "Push of {Count} changes from {ClientId}: {Applied} applied, {Duplicates} duplicate, {Rejected} rejected")]
    public static partial void PushApplied(ILogger logger, int count, string clientId, int applied, int duplicates, int rejected);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Debug, Message = "Bad request on {Path}: {Code}")]
    public static partial void BadRequest(ILogger logger, string path, string code);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Error, Message = "The {Rule} rule of collection {Collection} failed; the caller was refused")]
    public static partial void RuleFailed(ILogger logger, Exception exception, string collection, string rule);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Information, Message = "Workspace {Workspace}: {Action} by {UserId}")]
    public static partial void WorkspaceChanged(ILogger logger, string workspace, string action, string userId);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Connection {ConnectionId} opened over {Transport} ({Subprotocol}) for tenant {Tenant}")]
    public static partial void Connected(ILogger logger, long connectionId, string transport, string subprotocol, string tenant);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Connection {ConnectionId} over {Transport} closed: {Reason}")]
    public static partial void Disconnected(ILogger logger, long connectionId, string transport, string reason);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "Connection {ConnectionId} disconnected: {Reason}")]
    public static partial void Dropped(ILogger logger, long connectionId, string reason);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Debug, Message = "Connection {ConnectionId} sent a bad frame: {Code}")]
    public static partial void BadFrame(ILogger logger, long connectionId, string code);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Warning, Message = "Fan-out for a tenant could not read its changes; its connections were poked instead")]
    public static partial void FanOutFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2206, Level = LogLevel.Information, Message = "Realtime connection refused: {Code}")]
    public static partial void UpgradeRefused(ILogger logger, string code);

    [LoggerMessage(EventId = 2900, Level = LogLevel.Error, Message = "Unhandled failure on {Path}")]
    public static partial void Unhandled(ILogger logger, Exception exception, string path);
}

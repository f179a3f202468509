using Microsoft.Extensions.Logging;

namespace Concord.Client.Sync;

/// <summary>Client log messages. Event ids 3000-3999 belong to the client. Never logs record contents.</summary>
internal static partial class ConcordClientLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Sync round done: pushed {Pushed}, pulled {Pulled}")]
    public static partial void RoundDone(ILogger logger, int pushed, int pulled);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Server unreachable; retrying in {DelayMs} ms")]
    public static partial void Offline(ILogger logger, Exception exception, long delayMs);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Sync failed with {Code}; retrying in {DelayMs} ms")]
    public static partial void Failed(ILogger logger, string code, long delayMs);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Server refused {OpId} in {Collection}: {Code}")]
    public static partial void Rejected(ILogger logger, string opId, string collection, string code);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Cursor stale; resyncing from a fresh snapshot")]
    public static partial void Resync(ILogger logger);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Connected over {Transport} (server version {Version})")]
    public static partial void Connected(ILogger logger, string transport, long version);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Connection lost or refused: {Kind}: {Reason}")]
    public static partial void LinkFailed(ILogger logger, string kind, string reason);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Debug, Message = "Reconnecting in {DelayMs} ms")]
    public static partial void Reconnecting(ILogger logger, long delayMs);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Warning, Message = "WebSocket upgrade refused ({Status}); using HTTP with server-sent events, and trying the WebSocket again later")]
    public static partial void WebSocketRefused(ILogger logger, int status);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Warning, Message = "The server offers no event stream ({Status}); polling")]
    public static partial void EventStreamUnavailable(ILogger logger, int status);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "A live query callback threw; the subscription goes on")]
    public static partial void LiveQueryCallbackFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Warning, Message = "A live query could not be read and has ended")]
    public static partial void LiveQueryFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3900, Level = LogLevel.Error, Message = "Sync loop failed unexpectedly")]
    public static partial void Unexpected(ILogger logger, Exception exception);
}

using System.Net.WebSockets;

namespace Concord.Server.Realtime;

/// <summary>
/// Why a realtime connection ended: a short tag for metrics, the sentence for logs, and the WebSocket close status
/// to end it with (none: the connection is cut without a close handshake, as it must be when the client cannot read).
/// </summary>
internal sealed record CloseReason(string Tag, string Text, WebSocketCloseStatus? Status = null)
{
    public static readonly CloseReason ByClient = new("client", "closed by the client");
    public static readonly CloseReason Broken = new("broken", "the connection broke");
    public static readonly CloseReason RequestAborted = new("broken", "the request was aborted");
    public static readonly CloseReason SendFailed = new("broken", "a send failed: the connection is gone");
    public static readonly CloseReason QueueFull = new("slow_reader", "too many frames waiting: the client reads too slowly");
    public static readonly CloseReason SlowReader = new("slow_reader", "a send did not finish in time: the client reads too slowly");
    public static readonly CloseReason NoHeartbeat = new("heartbeat", "nothing received for two heartbeat intervals", WebSocketCloseStatus.PolicyViolation);
    public static readonly CloseReason Shutdown = new("shutdown", "the server is shutting down", WebSocketCloseStatus.EndpointUnavailable);
    public static readonly CloseReason BadFrame = new("protocol", "the first frame was not a valid hello");
    public static readonly CloseReason UnsupportedProtocol = new("protocol", "the client speaks an unsupported protocol version");
    public static readonly CloseReason TooLarge = new("protocol", "a message was over the size limit");
    public static readonly CloseReason TokenExpired = new("unauthorized", "the access token expired", WebSocketCloseStatus.PolicyViolation);
    public static readonly CloseReason Revoked = new("forbidden", "the user's membership of the workspace changed", WebSocketCloseStatus.PolicyViolation);
    public static readonly CloseReason Internal = new("internal", "the server failed");

    public override string ToString() => Text;
}

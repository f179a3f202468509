namespace Concord.Client.Transport;

/// <summary>
/// The WebSocket upgrade was answered with something other than 101 (or not answered at all): a server without the
/// endpoint, or a proxy that blocks WebSockets. The client falls back to HTTP with server-sent events.
/// </summary>
public sealed class WebSocketUpgradeRefusedException : Exception
{
    /// <summary>Creates the exception for an upgrade answered with <paramref name="status"/> (0: never answered).</summary>
    public WebSocketUpgradeRefusedException(int status, Exception? inner)
        : base(status == 0 ? "The WebSocket upgrade was never answered." : $"The WebSocket upgrade was answered with {status}.", inner)
    {
        Status = status;
    }

    /// <summary>The HTTP status of the answer, or 0 when none came.</summary>
    public int Status { get; }
}

namespace Concord.Client.Transport;

/// <summary>The server answered <c>GET {base}/events</c> with something other than an event stream: the client polls instead.</summary>
public sealed class EventStreamUnavailableException : Exception
{
    /// <summary>Creates the exception for an answer with <paramref name="status"/>.</summary>
    public EventStreamUnavailableException(int status)
        : base($"The server answered the event stream request with {status}.")
    {
        Status = status;
    }

    /// <summary>The HTTP status of the answer.</summary>
    public int Status { get; }
}

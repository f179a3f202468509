using Concord.Protocol;

namespace Concord.Client.Transport;

/// <summary>How a client talks to the server. Errors the server answers come back as <see cref="Errors.SyncException"/>.</summary>
public interface ISyncTransport
{
    /// <summary>Sends one push.</summary>
    Task<PushResponse> PushAsync(PushRequest request, CancellationToken cancellationToken = default);

    /// <summary>Asks for one page.</summary>
    Task<PullResponse> PullAsync(PullRequest request, CancellationToken cancellationToken = default);
}

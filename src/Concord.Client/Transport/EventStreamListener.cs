using System.Net.Http.Headers;

namespace Concord.Client.Transport;

/// <summary>
/// Reads <c>GET {base}/events</c> (server-sent events) for pokes, where WebSockets are blocked. The server sends a
/// heartbeat comment every interval; a stream silent for two intervals is taken for gone.
/// </summary>
internal static class EventStreamListener
{
    /// <summary>
    /// Listens until the stream ends (returns) or breaks (throws); <paramref name="opened"/> is called once the server
    /// has answered with an event stream.
    /// </summary>
    /// <exception cref="EventStreamUnavailableException">The server answered, but not with an event stream.</exception>
    public static async Task RunAsync(HttpClient http, Uri endpoint, string? accessToken, ILinkEvents events, Action opened, TimeSpan heartbeat, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint);
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("Concord-Protocol", "1");
        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            throw new EventStreamUnavailableException((int)response.StatusCode);
        }

        opened();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        string? eventName = null;
        while (true)
        {
            using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            silence.CancelAfter(2 * heartbeat);
            string? line;
            try
            {
                line = await reader.ReadLineAsync(silence.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new IOException("The event stream fell silent for two heartbeat intervals.");
            }

            if (line is null)
            {
                return;
            }

            if (line.Length == 0)
            {
                if (eventName == "poke")
                {
                    events.Poked();
                }

                eventName = null;
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                eventName = line["event:".Length..].Trim();
            }
        }
    }
}

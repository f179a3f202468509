using System.Text;

namespace Concord.Testing;

/// <summary>A plain reader of a server-sent event stream (<c>{base}/events</c>): events and comments as they come, each read bounded by a timeout.</summary>
public sealed class RawEventStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private RawEventStream(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public HttpResponseMessage Response => _response;

    /// <summary>Opens the stream, with <paramref name="configure"/> adding to the request (a token, an <c>Origin</c>); the caller checks the status.</summary>
    public static async Task<RawEventStream> OpenAsync(HttpClient http, Uri syncUri, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(syncUri, "events"));
        request.Headers.Accept.ParseAdd("text/event-stream");
        configure?.Invoke(request);
        HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync().ConfigureAwait(false), Encoding.UTF8);
        return new RawEventStream(response, reader);
    }

    /// <summary>The next block up to a blank line: an event's <c>event:</c>/<c>data:</c> lines, or comment lines.</summary>
    public async Task<IReadOnlyList<string>> ReadBlockAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Wait.DefaultTimeout);
        var lines = new List<string>();
        try
        {
            while (true)
            {
                string? line = await _reader.ReadLineAsync(cts.Token).ConfigureAwait(false) ?? throw new EndOfStreamException("The event stream ended.");
                if (line.Length == 0)
                {
                    if (lines.Count > 0)
                    {
                        return lines;
                    }

                    continue;
                }

                lines.Add(line);
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException("Timed out waiting for a server-sent event.");
        }
    }

    /// <summary>The rest of the body: the error of a refused stream.</summary>
    public async Task<string> ReadToEndAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Wait.DefaultTimeout);
        return await _reader.ReadToEndAsync(cts.Token).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}

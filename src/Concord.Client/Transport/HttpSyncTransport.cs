using System.Net.Http.Headers;
using Concord.Buffers;
using Concord.Errors;
using Concord.Protocol;
using Concord.Protocol.Json;

namespace Concord.Client.Transport;

/// <summary>The protocol over HTTP: <c>POST {base}/push</c> and <c>POST {base}/pull</c>.</summary>
/// <example><code>
/// var transport = new HttpSyncTransport(new HttpClient(), new Uri("http://127.0.0.1:5000/api/sync/"));
/// </code></example>
public sealed class HttpSyncTransport : ISyncTransport
{
    private readonly HttpClient _http;
    private readonly Uri _push;
    private readonly Uri _pull;
    private readonly IProtocolCodec _codec;
    private readonly Func<CancellationToken, ValueTask<string?>>? _accessToken;
    private readonly string? _workspace;

    /// <summary>Creates a transport to the sync API at <paramref name="baseUri"/>.</summary>
    /// <param name="http">The HTTP client; the caller owns it.</param>
    /// <param name="baseUri">The API's base, for example <c>http://127.0.0.1:5000/api/sync</c>.</param>
    /// <param name="codec">The encoding; JSON when null.</param>
    /// <param name="accessToken">Gives the bearer token for each request; none is sent when null.</param>
    /// <param name="workspace">The workspace every request names (<c>Concord-Workspace</c>); the server chooses when null.</param>
    public HttpSyncTransport(HttpClient http, Uri baseUri, IProtocolCodec? codec = null, Func<CancellationToken, ValueTask<string?>>? accessToken = null, string? workspace = null)
    {
        _workspace = workspace;
        _accessToken = accessToken;
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(baseUri);
        _http = http;
        Uri root = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
        _push = new Uri(root, "push");
        _pull = new Uri(root, "pull");
        _codec = codec ?? new JsonProtocolCodec(new ProtocolLimits());
    }

    /// <inheritdoc />
    public Task<PushResponse> PushAsync(PushRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<PushRequest, PushResponse>(_push, request, cancellationToken);

    /// <inheritdoc />
    public Task<PullResponse> PullAsync(PullRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<PullRequest, PullResponse>(_pull, request, cancellationToken);

    private async Task<TResponse> SendAsync<TRequest, TResponse>(Uri uri, TRequest request, CancellationToken cancellationToken)
        where TRequest : class
        where TResponse : class
    {
        using var body = new PooledBufferWriter(16 * 1024);
        _codec.Encode(request, body);
        using var content = new ReadOnlyMemoryContent(body.WrittenMemory);
        content.Headers.ContentType = new MediaTypeHeaderValue(_codec.MediaType);
        using var message = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(_codec.MediaType));
        message.Headers.Add("Concord-Protocol", "1");
        if (_workspace is not null)
        {
            message.Headers.Add("Concord-Workspace", _workspace);
        }

        if (_accessToken is not null && await _accessToken(cancellationToken).ConfigureAwait(false) is { Length: > 0 } token)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using HttpResponseMessage response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        using var answer = new PooledBufferWriter((int)Math.Min(response.Content.Headers.ContentLength ?? 64 * 1024, 64L * 1024 * 1024));
        using (Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
        {
            // Read into the pooled buffer: pull pages run to megabytes, which fresh arrays would put on the large object heap.
            int read;
            while ((read = await stream.ReadAsync(answer.GetMemory(16 * 1024), cancellationToken).ConfigureAwait(false)) > 0)
            {
                answer.Advance(read);
            }
        }

        // Decoding copies what it keeps, so the pooled buffer can go back as soon as this returns.
        ReadOnlyMemory<byte> payload = answer.WrittenMemory;
        if (response.IsSuccessStatusCode && _codec.TryDecode(payload, out TResponse? decoded, out _))
        {
            return decoded;
        }

        if (_codec.TryDecode(payload, out ErrorResponse? failure, out _))
        {
            throw new SyncException(failure.Error.ToError());
        }

        throw new SyncException(SyncError.Create(
            (int)response.StatusCode >= 500 ? SyncErrorCodes.Internal : SyncErrorCodes.BadRequest,
            $"The server answered {(int)response.StatusCode} with a body that is not a {typeof(TResponse).Name}."));
    }
}

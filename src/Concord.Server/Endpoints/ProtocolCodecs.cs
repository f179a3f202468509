using Concord.Protocol;
using Concord.Protocol.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Concord.Server.Endpoints;

/// <summary>Picks the codec for a request body (by <c>Content-Type</c>) and for the answer (by <c>Accept</c>).</summary>
internal sealed class ProtocolCodecs
{
    public ProtocolCodecs(IOptions<ConcordServerOptions> options)
    {
        Json = new JsonProtocolCodec(options.Value.Limits);
    }

    public IProtocolCodec Json { get; }

    public IReadOnlyList<string> MediaTypes => [Json.MediaType];

    /// <summary>JSON unless the body says otherwise: clients that send no content type still work.</summary>
    public IProtocolCodec ForRequest(HttpRequest request) => Json;

    public IProtocolCodec ForResponse(HttpRequest request) => Json;
}

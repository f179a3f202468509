using Concord.Protocol;
using Concord.Protocol.Cbor;
using Concord.Protocol.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Concord.Server.Endpoints;

/// <summary>Picks the codec for a request body (by <c>Content-Type</c>) and for the answer (by <c>Accept</c>).</summary>
internal sealed class ProtocolCodecs
{
    public ProtocolCodecs(IOptions<ConcordServerOptions> options)
    {
        Json = new JsonProtocolCodec(options.Value.Limits);
        Cbor = new CborProtocolCodec(options.Value.Limits);
    }

    public IProtocolCodec Json { get; }

    public IProtocolCodec Cbor { get; }

    public IReadOnlyList<string> MediaTypes => [Json.MediaType, Cbor.MediaType];

    /// <summary>CBOR when the body says so; JSON otherwise, so that clients that send no content type still work.</summary>
    public IProtocolCodec ForRequest(HttpRequest request) => IsCbor(request.ContentType) ? Cbor : Json;

    /// <summary>CBOR when the client accepts it before JSON, or sent CBOR and named no preference; JSON otherwise.</summary>
    public IProtocolCodec ForResponse(HttpRequest request)
    {
        IList<MediaTypeHeaderValue> accept = request.GetTypedHeaders().Accept;
        foreach (MediaTypeHeaderValue type in accept.OrderByDescending(a => a.Quality ?? 1.0))
        {
            if (type.MediaType.Equals(Cbor.MediaType, StringComparison.OrdinalIgnoreCase))
            {
                return Cbor;
            }

            if (type.MediaType.Equals(Json.MediaType, StringComparison.OrdinalIgnoreCase))
            {
                return Json;
            }
        }

        return IsCbor(request.ContentType) ? Cbor : Json;
    }

    private bool IsCbor(string? contentType) =>
        contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? parsed)
        && parsed.MediaType.Equals(Cbor.MediaType, StringComparison.OrdinalIgnoreCase);
}

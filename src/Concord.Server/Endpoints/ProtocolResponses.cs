using System.Globalization;
using Concord.Errors;
using Concord.Protocol;
using Microsoft.AspNetCore.Http;

namespace Concord.Server.Endpoints;

/// <summary>Writes protocol messages and errors straight into the response body.</summary>
internal static class ProtocolResponses
{
    public static async Task WriteAsync<T>(HttpContext context, IProtocolCodec codec, T message, int status = StatusCodes.Status200OK)
        where T : class
    {
        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = codec.MediaType;
        response.Headers.CacheControl = "no-store";
        codec.Encode(message, response.BodyWriter);
        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    public static Task WriteErrorAsync(HttpContext context, IProtocolCodec codec, SyncError error, int? status = null)
    {
        if (error.Meta?.TryGetValue("retryAfterMs", out object? retry) == true && retry is long or int)
        {
            long ms = Convert.ToInt64(retry, CultureInfo.InvariantCulture);
            context.Response.Headers.RetryAfter = Math.Max(1, (ms + 999) / 1000).ToString(CultureInfo.InvariantCulture);
        }

        return WriteAsync(context, codec, new ErrorResponse { Error = ErrorBody.From(error) }, status ?? error.HttpStatus);
    }
}

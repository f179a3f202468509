using System.Buffers;
using System.IO.Pipelines;
using Concord.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Concord.Server.Endpoints;

/// <summary>A request body read whole into a pooled buffer, never beyond the configured limit.</summary>
internal sealed class RequestBody : IDisposable
{
    private byte[] _buffer;
    private int _length;

    private RequestBody(byte[] buffer)
    {
        _buffer = buffer;
    }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    /// <summary>Reads the body, or answers <c>SYNC:PAYLOAD_TOO_LARGE</c> as soon as it is known to be over <paramref name="maxBytes"/>.</summary>
    public static async ValueTask<(RequestBody? Body, SyncError? Error)> ReadAsync(HttpContext context, long maxBytes, CancellationToken cancellationToken)
    {
        long? declared = context.Request.ContentLength;
        if (declared > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }

        // Kestrel's own cap (30 MB by default) would cut a larger configured limit short.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = maxBytes + 1;
        }

        var body = new RequestBody(ArrayPool<byte>.Shared.Rent((int)Math.Min(declared ?? 16 * 1024, maxBytes) + 1));
        PipeReader reader = context.Request.BodyReader;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (body._length + buffer.Length > maxBytes)
                {
                    reader.AdvanceTo(buffer.End);
                    body.Dispose();
                    return (null, TooLarge(maxBytes));
                }

                body.Append(buffer);
                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    return (body, null);
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            body.Dispose();
            return (null, TooLarge(maxBytes));
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel gave up on the body: it came too slowly (MinRequestBodyDataRate), ended early or was malformed.
            // The client's fault, not the server's: answered as such, not logged as a failure.
            body.Dispose();
            return (null, SyncError.BadRequest("The request body could not be read: " + ex.Message));
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Append(ReadOnlySequence<byte> data)
    {
        int needed = _length + (int)data.Length;
        if (needed > _buffer.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length = needed;
    }

    private static SyncError TooLarge(long maxBytes) =>
        SyncError.PayloadTooLarge($"The body is larger than {maxBytes} bytes.", "maxBodyBytes", maxBytes);
}

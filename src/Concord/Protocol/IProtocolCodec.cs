using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Concord.Errors;

namespace Concord.Protocol;

/// <summary>Turns protocol messages into bytes of one media type and back.</summary>
/// <example><code>
/// IProtocolCodec codec = new JsonProtocolCodec(new ProtocolLimits());
/// if (!codec.TryDecode(body, out PushRequest? push, out SyncError? error)) { /* answer 400 with error */ }
/// </code></example>
public interface IProtocolCodec
{
    /// <summary>The media type, for example <c>application/json</c>.</summary>
    string MediaType { get; }

    /// <summary>Decodes one message; never throws on bad input.</summary>
    /// <returns>False with a <c>SYNC:BAD_REQUEST</c> error when <paramref name="payload"/> is not a valid <typeparamref name="T"/>.</returns>
    bool TryDecode<T>(ReadOnlyMemory<byte> payload, [NotNullWhen(true)] out T? message, [NotNullWhen(false)] out SyncError? error)
        where T : class;

    /// <summary>Encodes one message into <paramref name="output"/>.</summary>
    void Encode<T>(T message, IBufferWriter<byte> output)
        where T : class;
}

using Concord.Buffers;

namespace Concord.Server.Realtime;

/// <summary>
/// Bytes waiting to be sent: either a frame's own pooled buffer, returned once sent, or bytes shared by every
/// connection a broadcast reaches, which the garbage collector reclaims.
/// </summary>
internal readonly struct OutgoingFrame
{
    private readonly PooledBufferWriter? _owner;

    private OutgoingFrame(ReadOnlyMemory<byte> bytes, PooledBufferWriter? owner)
    {
        Bytes = bytes;
        _owner = owner;
    }

    public ReadOnlyMemory<byte> Bytes { get; }

    public static OutgoingFrame Owned(PooledBufferWriter buffer) => new(buffer.WrittenMemory, buffer);

    public static OutgoingFrame Shared(ReadOnlyMemory<byte> bytes) => new(bytes, null);

    public void Release() => _owner?.Dispose();
}

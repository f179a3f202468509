namespace Concord.Crdt.Text;

/// <summary>A growable byte buffer with LEB128 variable-length integers, reused between encodings.</summary>
internal sealed class ByteWriter
{
    private byte[] _buffer;
    private int _count;

    public ByteWriter(int capacity = 64) => _buffer = new byte[capacity];

    public int Count => _count;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _count);

    public void Clear() => _count = 0;

    public void WriteByte(byte value)
    {
        if (_count == _buffer.Length)
        {
            Grow(1);
        }

        _buffer[_count++] = value;
    }

    public void WriteVarUInt(uint value)
    {
        if (_buffer.Length - _count < 5)
        {
            Grow(5);
        }

        while (value >= 0x80)
        {
            _buffer[_count++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_count++] = (byte)value;
    }

    public void WriteVarUInt(int value) => WriteVarUInt((uint)value);

    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (_buffer.Length - _count < bytes.Length)
        {
            Grow(bytes.Length);
        }

        bytes.CopyTo(_buffer.AsSpan(_count));
        _count += bytes.Length;
    }

    /// <summary>Reserves <paramref name="length"/> bytes and returns them for the caller to fill.</summary>
    public Span<byte> GetSpan(int length)
    {
        if (_buffer.Length - _count < length)
        {
            Grow(length);
        }

        return _buffer.AsSpan(_count, length);
    }

    public void Advance(int length) => _count += length;

    /// <summary>Drops buffers grown far beyond the usual size, so one large encoding does not pin its memory.</summary>
    public void Trim(int keepCapacity)
    {
        _count = 0;
        if (_buffer.Length > keepCapacity)
        {
            _buffer = new byte[keepCapacity];
        }
    }

    private void Grow(int needed)
    {
        int size = Math.Max(_buffer.Length * 2, _count + needed);
        Array.Resize(ref _buffer, size);
    }
}

using System.Buffers;
using System.Buffers.Text;
using System.Globalization;

namespace Concord.Protocol.Cbor;

/// <summary>
/// Writes minified JSON text from pieces already known to be well formed (CBOR items being transcoded):
/// no validation, and escaping only for the few bytes JSON requires it for. Much cheaper per token than a
/// general JSON writer, which is what decoding CBOR into the protocol's JSON values spends its time on.
/// </summary>
internal sealed class JsonTextBuilder
{
    private static readonly SearchValues<byte> Escaped = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, (byte)'"', (byte)'\\']);

    private byte[] _buffer = new byte[1024];
    private int _length;
    private bool _needsComma;

    public void Reset()
    {
        _length = 0;
        _needsComma = false;
    }

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    public void StartObject() => Open((byte)'{');

    public void EndObject() => Close((byte)'}');

    public void StartArray() => Open((byte)'[');

    public void EndArray() => Close((byte)']');

    public void PropertyName(ReadOnlySpan<byte> utf8)
    {
        Quoted(utf8);
        Room(1);
        _buffer[_length++] = (byte)':';
        _needsComma = false;
    }

    public void String(ReadOnlySpan<byte> utf8)
    {
        Quoted(utf8);
        _needsComma = true;
    }

    /// <summary>A string known to need no escaping (a clock reading: hex digits, '-', node id characters).</summary>
    public void PlainString(ReadOnlySpan<byte> utf8)
    {
        Room(utf8.Length + 3);
        Separate();
        _buffer[_length++] = (byte)'"';
        utf8.CopyTo(_buffer.AsSpan(_length));
        _length += utf8.Length;
        _buffer[_length++] = (byte)'"';
        _needsComma = true;
    }

    public void Number<T>(T value)
        where T : IUtf8SpanFormattable
    {
        Room(33);
        Separate();
        value.TryFormat(_buffer.AsSpan(_length), out int written, default, CultureInfo.InvariantCulture);
        _length += written;
        _needsComma = true;
    }

    public void Literal(ReadOnlySpan<byte> literal)
    {
        Room(literal.Length + 1);
        Separate();
        literal.CopyTo(_buffer.AsSpan(_length));
        _length += literal.Length;
        _needsComma = true;
    }

    private void Open(byte bracket)
    {
        Room(2);
        Separate();
        _buffer[_length++] = bracket;
        _needsComma = false;
    }

    private void Close(byte bracket)
    {
        Room(1);
        _buffer[_length++] = bracket;
        _needsComma = true;
    }

    /// <summary>Writes the comma a value needs after a sibling; callers have made room for it.</summary>
    private void Separate()
    {
        if (_needsComma)
        {
            _buffer[_length++] = (byte)',';
        }
    }

    private void Room(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
        }
    }

    private void Quoted(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IndexOfAny(Escaped) < 0)
        {
            PlainStringWithoutMark(utf8);
            return;
        }

        Room((utf8.Length * 6) + 3);
        Separate();
        _buffer[_length++] = (byte)'"';
        foreach (byte b in utf8)
        {
            switch (b)
            {
                case (byte)'"' or (byte)'\\':
                    _buffer[_length++] = (byte)'\\';
                    _buffer[_length++] = b;
                    break;
                case < 0x20:
                    "\\u00"u8.CopyTo(_buffer.AsSpan(_length));
                    Utf8Formatter.TryFormat(b, _buffer.AsSpan(_length + 4), out _, new StandardFormat('x', 2));
                    _length += 6;
                    break;
                default:
                    _buffer[_length++] = b;
                    break;
            }
        }

        _buffer[_length++] = (byte)'"';
    }

    private void PlainStringWithoutMark(ReadOnlySpan<byte> utf8)
    {
        Room(utf8.Length + 3);
        Separate();
        _buffer[_length++] = (byte)'"';
        utf8.CopyTo(_buffer.AsSpan(_length));
        _length += utf8.Length;
        _buffer[_length++] = (byte)'"';
    }
}

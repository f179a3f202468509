using System.IO.Compression;

namespace Concord.Crdt.Text;

/// <summary>
/// Collects items and deleted ranges, then writes them in the form described in <see cref="TextUpdateFormat"/>.
/// One writer belongs to one document and is reused for every update it produces.
/// </summary>
internal sealed class TextUpdateWriter
{
    private readonly ByteWriter _body = new(256);
    private readonly ByteWriter _lengths = new(64);
    private readonly ByteWriter _left = new(64);
    private readonly ByteWriter _right = new(64);
    private readonly ByteWriter _info = new(64);
    private readonly List<WriterItem> _items = [];
    private readonly List<DeleteRecord> _deletes = [];
    private readonly List<int> _replicaClients = [];
    private IReadOnlyList<string> _names = [];
    private int[] _replicaOf = [];
    private char[] _content = new char[64];
    private int _contentCount;

    /// <summary>Starts a new update whose records name replicas by index into <paramref name="clientNames"/>.</summary>
    public void Reset(IReadOnlyList<string> clientNames)
    {
        _names = clientNames;
        _items.Clear();
        _deletes.Clear();
        _contentCount = 0;
    }

    public bool IsEmpty => _items.Count == 0 && _deletes.Count == 0;

    /// <summary>
    /// Adds one run. It extends the previous run when both form one run, so callers may add items as they
    /// are stored, however they happen to be split. <paramref name="originLeftClient"/> and
    /// <paramref name="originRightClient"/> are -1 for no origin.
    /// </summary>
    public void AddItem(int client, int clock, int length, int originLeftClient, int originLeftClock,
        int originRightClient, int originRightClock, ReadOnlySpan<char> content, bool tombstone)
    {
        if (!tombstone)
        {
            if (_content.Length - _contentCount < content.Length)
            {
                Array.Resize(ref _content, Math.Max(_content.Length * 2, _contentCount + content.Length));
            }

            content.CopyTo(_content.AsSpan(_contentCount));
            _contentCount += content.Length;
        }

        if (_items.Count > 0)
        {
            WriterItem last = _items[^1];
            if (last.Client == client && last.Clock + last.Length == clock && last.Tombstone == tombstone
                && originLeftClient == client && originLeftClock == clock - 1
                && last.OriginRightClient == originRightClient && (originRightClient < 0 || last.OriginRightClock == originRightClock))
            {
                last.Length += length;
                _items[^1] = last;
                return;
            }
        }

        _items.Add(new WriterItem
        {
            Client = client,
            Clock = clock,
            Length = length,
            OriginLeftClient = originLeftClient,
            OriginLeftClock = originLeftClock,
            OriginRightClient = originRightClient,
            OriginRightClock = originRightClock,
            Tombstone = tombstone,
        });
    }

    /// <summary>Adds a deleted range; ranges may come in any order and overlap.</summary>
    public void AddDelete(int client, int clock, int length)
    {
        if (_deletes.Count > 0)
        {
            DeleteRecord last = _deletes[^1];
            if (last.Replica == client && last.Clock + last.Length == clock)
            {
                last.Length += length;
                _deletes[^1] = last;
                return;
            }
        }

        _deletes.Add(new DeleteRecord { Replica = client, Clock = clock, Length = length });
    }

    /// <summary>Writes the update.</summary>
    public byte[] ToArray()
    {
        NormalizeDeletes();
        AssignReplicas();
        _body.Clear();
        _info.Clear();
        _lengths.Clear();
        _left.Clear();
        _right.Clear();

        _body.WriteVarUInt(_replicaClients.Count);
        foreach (int client in _replicaClients)
        {
            string name = _names[client];
            _body.WriteVarUInt(name.Length);
            Span<byte> span = _body.GetSpan(name.Length);
            for (int i = 0; i < name.Length; i++)
            {
                span[i] = (byte)name[i];
            }

            _body.Advance(name.Length);
        }

        WriteGroups();
        foreach (WriterItem item in _items)
        {
            int leftKind = WriteOrigin(_left, item, item.OriginLeftClient, item.OriginLeftClock);
            int rightKind = WriteOrigin(_right, item, item.OriginRightClient, item.OriginRightClock);
            _info.WriteByte((byte)(leftKind | (rightKind << 2) | (item.Tombstone ? TextUpdateFormat.TombstoneFlag : 0)));
            _lengths.WriteVarUInt(item.Length);
        }

        _body.Write(_info.WrittenSpan);
        _body.Write(_lengths.WrittenSpan);
        _body.Write(_left.WrittenSpan);
        _body.Write(_right.WrittenSpan);

        ReadOnlySpan<char> content = _content.AsSpan(0, _contentCount);
        int contentBytes = Wtf8.GetByteCount(content);
        _body.WriteVarUInt(contentBytes);
        Wtf8.Encode(content, _body.GetSpan(contentBytes));
        _body.Advance(contentBytes);

        WriteDeletes();

        byte[] result = _body.Count >= TextUpdateFormat.CompressionThreshold ? Compress(_body.WrittenSpan) : Raw(_body.WrittenSpan);
        ReleaseLargeBuffers();
        return result;
    }

    private static byte[] Raw(ReadOnlySpan<byte> body)
    {
        byte[] result = new byte[body.Length + 2];
        result[0] = TextUpdateFormat.Version;
        result[1] = TextUpdateFormat.EncodingRaw;
        body.CopyTo(result.AsSpan(2));
        return result;
    }

    private static byte[] Compress(ReadOnlySpan<byte> body)
    {
        using var compressed = new MemoryStream(body.Length / 2 + 16);
        using (var deflate = new DeflateStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            deflate.Write(body);
        }

        Span<byte> header = stackalloc byte[12];
        int headerLength = 2;
        header[0] = TextUpdateFormat.Version;
        header[1] = TextUpdateFormat.EncodingDeflate;
        headerLength += WriteVarUInt(header[headerLength..], (uint)body.Length);
        headerLength += WriteVarUInt(header[headerLength..], (uint)compressed.Length);
        if (headerLength + compressed.Length >= body.Length + 2)
        {
            return Raw(body);
        }

        byte[] result = new byte[headerLength + compressed.Length];
        header[..headerLength].CopyTo(result);
        compressed.GetBuffer().AsSpan(0, (int)compressed.Length).CopyTo(result.AsSpan(headerLength));
        return result;
    }

    private static int WriteVarUInt(Span<byte> destination, uint value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    private void WriteGroups()
    {
        int groupCount = 0;
        for (int i = 0; i < _items.Count; i++)
        {
            if (i == 0 || !Continues(_items[i - 1], _items[i]))
            {
                groupCount++;
            }
        }

        _body.WriteVarUInt(groupCount);
        int start = 0;
        for (int i = 1; i <= _items.Count; i++)
        {
            if (i == _items.Count || !Continues(_items[i - 1], _items[i]))
            {
                WriterItem first = _items[start];
                _body.WriteVarUInt(_replicaOf[first.Client]);
                _body.WriteVarUInt(first.Clock);
                _body.WriteVarUInt(i - start);
                start = i;
            }
        }
    }

    private static bool Continues(WriterItem previous, WriterItem next) =>
        previous.Client == next.Client && previous.Clock + previous.Length == next.Clock;

    private int WriteOrigin(ByteWriter column, WriterItem item, int client, int clock)
    {
        if (client < 0)
        {
            return TextUpdateFormat.OriginNone;
        }

        if (client == item.Client && clock < item.Clock)
        {
            column.WriteVarUInt(item.Clock - clock);
            return TextUpdateFormat.OriginSameReplica;
        }

        column.WriteVarUInt(_replicaOf[client]);
        column.WriteVarUInt(clock);
        return TextUpdateFormat.OriginExplicit;
    }

    private void WriteDeletes()
    {
        int groups = 0;
        for (int i = 0; i < _deletes.Count; i++)
        {
            if (i == 0 || _deletes[i - 1].Replica != _deletes[i].Replica)
            {
                groups++;
            }
        }

        _body.WriteVarUInt(groups);
        int start = 0;
        for (int i = 1; i <= _deletes.Count; i++)
        {
            if (i == _deletes.Count || _deletes[i - 1].Replica != _deletes[i].Replica)
            {
                _body.WriteVarUInt(_replicaOf[_deletes[start].Replica]);
                _body.WriteVarUInt(i - start);
                int end = 0;
                for (int k = start; k < i; k++)
                {
                    _body.WriteVarUInt(_deletes[k].Clock - end);
                    _body.WriteVarUInt(_deletes[k].Length);
                    end = _deletes[k].Clock + _deletes[k].Length;
                }

                start = i;
            }
        }
    }

    /// <summary>Sorts ranges by replica and clock and merges those that touch or overlap.</summary>
    private void NormalizeDeletes()
    {
        if (_deletes.Count < 2)
        {
            return;
        }

        _deletes.Sort(static (a, b) => a.Replica != b.Replica ? a.Replica.CompareTo(b.Replica) : a.Clock.CompareTo(b.Clock));
        int write = 0;
        for (int i = 1; i < _deletes.Count; i++)
        {
            DeleteRecord current = _deletes[write];
            DeleteRecord next = _deletes[i];
            long currentEnd = (long)current.Clock + current.Length;
            if (next.Replica == current.Replica && next.Clock <= currentEnd)
            {
                long end = Math.Max(currentEnd, (long)next.Clock + next.Length);
                current.Length = (int)(end - current.Clock);
                _deletes[write] = current;
            }
            else
            {
                _deletes[++write] = next;
            }
        }

        _deletes.RemoveRange(write + 1, _deletes.Count - write - 1);
    }

    private void AssignReplicas()
    {
        if (_replicaOf.Length < _names.Count)
        {
            _replicaOf = new int[Math.Max(_names.Count, _replicaOf.Length * 2)];
        }

        foreach (int client in _replicaClients)
        {
            _replicaOf[client] = 0;
        }

        _replicaClients.Clear();
        foreach (WriterItem item in _items)
        {
            Use(item.Client);
            if (item.OriginLeftClient >= 0)
            {
                Use(item.OriginLeftClient);
            }

            if (item.OriginRightClient >= 0)
            {
                Use(item.OriginRightClient);
            }
        }

        foreach (DeleteRecord range in _deletes)
        {
            Use(range.Replica);
        }

        // _replicaOf holds index + 1 while assigning, so that 0 means "not yet used".
        foreach (int client in _replicaClients)
        {
            _replicaOf[client]--;
        }

        void Use(int client)
        {
            if (_replicaOf[client] == 0)
            {
                _replicaClients.Add(client);
                _replicaOf[client] = _replicaClients.Count;
            }
        }
    }

    private void ReleaseLargeBuffers()
    {
        const int Keep = 64 * 1024;
        if (_content.Length > Keep)
        {
            _content = new char[64];
        }

        _body.Trim(Keep);
        _info.Trim(Keep);
        _lengths.Trim(Keep);
        _left.Trim(Keep);
        _right.Trim(Keep);
        if (_items.Count > Keep)
        {
            _items.Clear();
            _items.Capacity = 16;
        }
    }

    private struct WriterItem
    {
        public int Client;
        public int Clock;
        public int Length;
        public int OriginLeftClient;
        public int OriginLeftClock;
        public int OriginRightClient;
        public int OriginRightClock;
        public bool Tombstone;
    }
}

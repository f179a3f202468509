using System.Diagnostics.CodeAnalysis;
using Concord.Clock;

namespace Concord.Crdt.Text;

/// <summary>
/// Plain text that several replicas edit at once and that converges without coordination:
/// a sequence CRDT of the YATA family, integrating concurrent insertions with the rule Yjs uses.
/// </summary>
/// <remarks>
/// <para>
/// Every inserted character has an id, the inserting replica and a clock that counts that replica's
/// characters. Characters that one replica types one after the other are stored as one run, which
/// records its left origin (the character just before it when it was inserted) and its right origin
/// (the character just after). Deleted characters stay as tombstones of known length; their content
/// is dropped. A received run is placed between its origins; when other runs were inserted there
/// concurrently, the YATA rule orders them, breaking ties by comparing replica ids ordinally. So all
/// replicas that received the same updates show the same text, whatever the order they arrived in,
/// and two passages typed concurrently at the same place never interleave: one comes entirely before
/// the other, forwards and when typed backwards (each character inserted before the previous one).
/// The rule is Yjs's, not FugueMax's (Weidner and Kleppmann, "The Art of the Fugue"): the two agree on
/// these cases, and differ only on rarer patterns of concurrent edits, where Yjs's order is kept.
/// </para>
/// <para>
/// Each local edit returns an update: a few bytes that describe exactly that edit. Send it to the
/// other replicas, which pass it to <see cref="ApplyUpdate"/>. Updates may arrive twice, late or out of
/// order: one whose dependencies are missing waits, invisible, until they arrive. A full state
/// (<see cref="EncodeState"/>) uses the same format, so merging two documents is applying the state of
/// one to the other, and <see cref="MergeUpdates"/> folds many updates into one.
/// </para>
/// <para>
/// Positions and lengths count UTF-16 code units, like <see cref="string"/>. Each replica needs an id that
/// no other live replica uses; a fresh id per editing session is the simple way to ensure it.
/// An instance is not thread-safe.
/// </para>
/// </remarks>
/// <example><code>
/// var alice = new ReplicatedText("alice");
/// var bob = new ReplicatedText("bob");
/// byte[] hello = alice.Insert(0, "Hello");
/// bob.ApplyUpdate(hello);                       // bob: "Hello"
/// byte[] a = alice.Insert(5, " world");         // typed at the same time...
/// byte[] b = bob.Insert(5, "!");                // ...at the same place
/// alice.ApplyUpdate(b);
/// bob.ApplyUpdate(a);
/// // Both now show "Hello world!": concurrent runs never interleave, and at the same place the
/// // run of the replica whose id sorts first (ordinally) comes first.
/// var copy = ReplicatedText.Decode(alice.EncodeState(), "carol");
/// </code></example>
public sealed partial class ReplicatedText
{
    private const int MarkerCount = 8;

    private readonly string _replicaId;
    private readonly int _self;
    private readonly List<string> _clientNames = [];
    private readonly Dictionary<string, int> _clientIds = new(StringComparer.Ordinal);
    private readonly List<ClientItemIndex> _clients = [];
    private readonly TextUpdateWriter _writer = new();

    // Items in one array, linked in document order by index.
    private TextItem[] _items = new TextItem[16];
    private int _itemCount;
    private int _first = -1;
    private int _last = -1;

    // Content of the items, appended as it arrives; deleted content stays until the next compaction.
    private char[] _chars = new char[64];
    private int _charCount;

    private int _length;
    private string? _text;

    // Search markers: items whose visible start position is known, so that finding a position walks
    // from the nearest one instead of from the start. Only local edits keep them; remote ones clear them.
    private readonly int[] _markerItem = new int[MarkerCount];
    private readonly int[] _markerPosition = new int[MarkerCount];
    private int _markerCount;
    private int _markerNext;
    private int _markerUsed = -1;

    /// <summary>Creates an empty text edited by the replica <paramref name="replicaId"/>.</summary>
    /// <param name="replicaId">1-64 characters of <c>[A-Za-z0-9_.~-]</c>, unique among the live replicas.</param>
    /// <exception cref="ArgumentException"><paramref name="replicaId"/> is not a valid replica id.</exception>
    public ReplicatedText(string replicaId)
    {
        if (!HlcTimestamp.IsValidNodeId(replicaId))
        {
            throw new ArgumentException("A replica id is 1-64 characters of A-Z, a-z, 0-9, '_', '.', '~' or '-'.", nameof(replicaId));
        }

        _replicaId = replicaId;
        _self = ClientOf(replicaId);
    }

    /// <summary>The id of the replica that makes this instance's local edits.</summary>
    public string ReplicaId => _replicaId;

    /// <summary>Number of visible characters (UTF-16 code units).</summary>
    public int Length => _length;

    /// <summary>Whether received runs or deletions are waiting for updates they depend on.</summary>
    public bool HasPendingUpdates => _pendingClients.Count > 0;

    /// <summary>The visible text. Built once after each change, then returned as is.</summary>
    public override string ToString() => _text ??= BuildText();

    /// <summary>Inserts <paramref name="text"/> so that it starts at <paramref name="position"/>.</summary>
    /// <returns>The update that describes this insertion, for the other replicas.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="position"/> is outside <c>[0, Length]</c>.</exception>
    /// <exception cref="InvalidOperationException">This replica's clock is exhausted, or updates made under this replica id elsewhere are still pending.</exception>
    /// <example><code>byte[] update = text.Insert(text.Length, "!"); // about 20 bytes</code></example>
    public byte[] Insert(int position, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(position, _length);
        _writer.Reset(_clientNames);
        if (text.Length > 0)
        {
            InsertCore(position, text);
        }

        return _writer.ToArray();
    }

    /// <summary>Deletes <paramref name="length"/> characters starting at <paramref name="position"/>.</summary>
    /// <returns>The update that describes these deletions, for the other replicas.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the text.</exception>
    public byte[] Delete(int position, int length)
    {
        ValidateRange(position, length);
        _writer.Reset(_clientNames);
        if (length > 0)
        {
            DeleteCore(position, length);
        }

        return _writer.ToArray();
    }

    /// <summary>
    /// Deletes <paramref name="deleteLength"/> characters at <paramref name="position"/> and inserts
    /// <paramref name="insert"/> there, described by one update.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="insert"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the text.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="Insert"/>.</exception>
    public byte[] Replace(int position, int deleteLength, string insert)
    {
        ArgumentNullException.ThrowIfNull(insert);
        ValidateRange(position, deleteLength);
        _writer.Reset(_clientNames);
        if (deleteLength > 0)
        {
            DeleteCore(position, deleteLength);
        }

        if (insert.Length > 0)
        {
            InsertCore(position, insert);
        }

        return _writer.ToArray();
    }

    private void ValidateRange(int position, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(position, _length);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _length - position);
    }

    private void InsertCore(int position, ReadOnlySpan<char> text)
    {
        ClientItemIndex self = _clients[_self];
        if (_queues[_self] is { HasItems: true })
        {
            ThrowOwnUpdatesPending();
        }

        int clock = self.NextClock;
        int n = text.Length;
        if (clock > TextUpdateFormat.MaxClock - n)
        {
            ThrowClockExhausted();
        }

        // The new run goes after the character at position - 1 and after any tombstones that follow it,
        // so that its right origin is the next visible character.
        int left;
        int right;
        if (position == 0)
        {
            left = -1;
            right = _first;
        }
        else
        {
            left = FindVisible(position - 1, out int offset);
            right = offset + 1 < _items[left].Length ? Split(left, offset + 1) : _items[left].Right;
        }

        while (right >= 0 && _items[right].Deleted)
        {
            left = right;
            right = _items[right].Right;
        }

        int originLeftClient = -1;
        int originLeftClock = 0;
        int originRightClient = -1;
        int originRightClock = 0;
        if (left >= 0)
        {
            originLeftClient = _items[left].Client;
            originLeftClock = _items[left].EndClock - 1;
        }

        if (right >= 0)
        {
            originRightClient = _items[right].Client;
            originRightClock = _items[right].Clock;
        }

        int contentStart = AppendChars(text);
        ShiftMarkersForInsert(position, n);
        if (left >= 0 && CanExtend(left, _self, clock, originLeftClient, originLeftClock, originRightClient, originRightClock, false, contentStart))
        {
            // Typing on at the end of our own run: grow it instead of adding an item.
            int start = position - _items[left].Length;
            _items[left].Length += n;
            RememberMarker(left, start);
        }
        else
        {
            int item = NewItem();
            ref TextItem it = ref _items[item];
            it.Client = _self;
            it.Clock = clock;
            it.Length = n;
            it.OriginLeftClient = originLeftClient;
            it.OriginLeftClock = originLeftClock;
            it.OriginRightClient = originRightClient;
            it.OriginRightClock = originRightClock;
            it.ContentStart = contentStart;
            it.Deleted = false;
            LinkAfter(left, item);
            self.Append(item);
            RememberMarker(item, position);
        }

        self.NextClock = clock + n;
        _length += n;
        _text = null;
        _writer.AddItem(_self, clock, n, originLeftClient, originLeftClock, originRightClient, originRightClock, text, tombstone: false);
    }

    private void DeleteCore(int position, int length)
    {
        int item = FindVisible(position, out int offset);
        if (offset > 0)
        {
            item = Split(item, offset);
        }

        int remaining = length;
        while (remaining > 0)
        {
            if (_items[item].Deleted)
            {
                item = _items[item].Right;
                continue;
            }

            if (_items[item].Length > remaining)
            {
                Split(item, remaining);
            }

            ref TextItem it = ref _items[item];
            it.Deleted = true;
            it.ContentStart = -1;
            remaining -= it.Length;
            _writer.AddDelete(it.Client, it.Clock, it.Length);
            item = it.Right;
        }

        _length -= length;
        _text = null;
        ShiftMarkersForDelete(position, length);
        CompactIfSparse();
    }

    /// <summary>Whether a run can grow <paramref name="left"/> instead of becoming an item of its own.</summary>
    private bool CanExtend(int left, int client, int clock, int originLeftClient, int originLeftClock,
        int originRightClient, int originRightClock, bool deleted, int contentStart)
    {
        ref TextItem it = ref _items[left];
        return it.Client == client
            && it.EndClock == clock
            && originLeftClient == client && originLeftClock == clock - 1
            && it.OriginRightClient == originRightClient && (originRightClient < 0 || it.OriginRightClock == originRightClock)
            && it.Deleted == deleted
            && (deleted || it.ContentStart + it.Length == contentStart);
    }

    private int ClientOf(string name)
    {
        if (!_clientIds.TryGetValue(name, out int client))
        {
            client = _clientNames.Count;
            _clientNames.Add(name);
            _clientIds.Add(name, client);
            _clients.Add(new ClientItemIndex());
            _queues.Add(null);
        }

        return client;
    }

    private int NewItem()
    {
        if (_itemCount == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        return _itemCount++;
    }

    /// <summary>Splits an item so that its first <paramref name="offset"/> characters stay; returns the new right part.</summary>
    private int Split(int item, int offset)
    {
        int right = NewItem();
        ref TextItem a = ref _items[item];
        ref TextItem b = ref _items[right];
        b = a;
        b.Clock = a.Clock + offset;
        b.Length = a.Length - offset;
        b.OriginLeftClient = a.Client;
        b.OriginLeftClock = b.Clock - 1;
        if (a.ContentStart >= 0)
        {
            b.ContentStart = a.ContentStart + offset;
        }

        b.Left = item;
        a.Length = offset;
        a.Right = right;
        if (b.Right >= 0)
        {
            _items[b.Right].Left = right;
        }
        else
        {
            _last = right;
        }

        _clients[a.Client].InsertAfter(_items, item, right);
        return right;
    }

    /// <summary>Links <paramref name="item"/> just after <paramref name="left"/> (-1: at the start).</summary>
    private void LinkAfter(int left, int item)
    {
        int right = left >= 0 ? _items[left].Right : _first;
        ref TextItem it = ref _items[item];
        it.Left = left;
        it.Right = right;
        if (left >= 0)
        {
            _items[left].Right = item;
        }
        else
        {
            _first = item;
        }

        if (right >= 0)
        {
            _items[right].Left = item;
        }
        else
        {
            _last = item;
        }
    }

    private int AppendChars(ReadOnlySpan<char> text)
    {
        if (_chars.Length - _charCount < text.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _charCount + text.Length));
        }

        int start = _charCount;
        text.CopyTo(_chars.AsSpan(start));
        _charCount += text.Length;
        return start;
    }

    /// <summary>Drops the content of deleted characters once it outweighs the visible text.</summary>
    private void CompactIfSparse()
    {
        int dead = _charCount - _length;
        if (dead <= 4096 || dead <= _length)
        {
            return;
        }

        char[] chars = new char[Math.Max(64, _length + (_length / 4))];
        int count = 0;
        for (int i = _first; i >= 0; i = _items[i].Right)
        {
            ref TextItem it = ref _items[i];
            if (!it.Deleted)
            {
                _chars.AsSpan(it.ContentStart, it.Length).CopyTo(chars.AsSpan(count));
                it.ContentStart = count;
                count += it.Length;
            }
        }

        _chars = chars;
        _charCount = count;
    }

    private string BuildText()
    {
        if (_length == 0)
        {
            return string.Empty;
        }

        return string.Create(_length, this, static (span, doc) =>
        {
            int written = 0;
            for (int i = doc._first; i >= 0; i = doc._items[i].Right)
            {
                ref TextItem it = ref doc._items[i];
                if (!it.Deleted)
                {
                    doc._chars.AsSpan(it.ContentStart, it.Length).CopyTo(span[written..]);
                    written += it.Length;
                }
            }
        });
    }

    [DoesNotReturn]
    private static void ThrowClockExhausted() =>
        throw new InvalidOperationException("This replica has used every clock value; continue with a new replica id.");

    [DoesNotReturn]
    private void ThrowOwnUpdatesPending() =>
        throw new InvalidOperationException(
            $"Updates made elsewhere under the replica id '{_replicaId}' wait for their dependencies; apply them first or edit under a new replica id.");
}

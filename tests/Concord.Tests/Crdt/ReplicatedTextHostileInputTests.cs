using Concord.Crdt.Text;
using CsCheck;

namespace Concord.Tests.Crdt;

public sealed class ReplicatedTextHostileInputTests
{
    [Fact]
    public void Updates_in_reverse_dependency_order_wait_and_all_integrate_once_the_first_arrives()
    {
        var writer = new ReplicatedText("writer");
        byte[][] updates = Enumerable.Range(0, 20_000).Select(i => writer.Insert(i, ((char)('a' + (i % 26))).ToString())).ToArray();
        var reader = new ReplicatedText("reader");

        for (int i = updates.Length - 1; i > 0; i--)
        {
            reader.ApplyUpdate(updates[i]);
        }

        Assert.True(reader.HasPendingUpdates);
        Assert.Equal(string.Empty, reader.ToString());
        reader.ApplyUpdate(updates[0]);
        Assert.False(reader.HasPendingUpdates);
        Assert.Equal(writer.ToString(), reader.ToString());
    }

    [Fact]
    public void Deletions_of_characters_not_yet_arrived_apply_when_they_do_whatever_the_order()
    {
        var writer = new ReplicatedText("writer");
        byte[][] inserts = Enumerable.Range(0, 200).Select(i => writer.Insert(i, "x")).ToArray();
        byte[][] deletes = Enumerable.Range(0, 50).Select(i => writer.Delete(i * 2, 1)).ToArray();
        var reader = new ReplicatedText("reader");

        foreach (byte[] delete in deletes.Reverse())
        {
            reader.ApplyUpdate(delete);
        }

        foreach (byte[] insert in inserts.Reverse())
        {
            reader.ApplyUpdate(insert);
        }

        Assert.False(reader.HasPendingUpdates);
        Assert.Equal(writer.ToString(), reader.ToString());
        Assert.Equal(150, reader.ToString().Length);
    }

    [Fact]
    public void An_update_that_would_leave_too_much_waiting_is_refused_and_changes_nothing()
    {
        var writer = new ReplicatedText("writer");
        byte[][] updates = Enumerable.Range(0, ReplicatedText.MaxPending + 2).Select(i => writer.Insert(i, "x")).ToArray();
        var reader = new ReplicatedText("reader");
        for (int i = ReplicatedText.MaxPending; i > 0; i--)
        {
            reader.ApplyUpdate(updates[i]);
        }

        byte[] before = reader.EncodeState();

        Assert.False(reader.TryApplyUpdate(updates[^1], out string? error));
        Assert.Contains("wait", error, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => reader.ApplyUpdate(updates[^1]));
        Assert.Equal(before, reader.EncodeState());
        reader.ApplyUpdate(updates[0]);
        reader.ApplyUpdate(updates[^1]);
        Assert.Equal(writer.ToString(), reader.ToString());
    }

    [Fact]
    public void Random_bytes_are_refused_or_applied_but_never_crash_or_corrupt()
    {
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            var text = Sample();
            byte[] before = text.EncodeState();
            string visible = text.ToString();

            if (!text.TryApplyUpdate(bytes, out string? error))
            {
                Assert.NotNull(error);
                Assert.Equal(visible, text.ToString());
                Assert.Equal(before, text.EncodeState());
                Assert.Throws<FormatException>(() => text.ApplyUpdate(bytes));
                Assert.Throws<FormatException>(() => ReplicatedText.Decode(bytes, "r"));
            }

            AssertUsable(text);
        });
    }

    [Fact]
    public void Random_bytes_after_a_valid_header_are_refused_or_applied_but_never_crash()
    {
        Gen.Select(Gen.Byte.Array[0, 200], Gen.Bool).Sample((bytes, compressed) =>
        {
            byte[] update = [1, compressed ? (byte)1 : (byte)0, .. bytes];
            var text = Sample();
            byte[] before = text.EncodeState();
            if (!text.TryApplyUpdate(update, out _))
            {
                Assert.Equal(before, text.EncodeState());
            }

            AssertUsable(text);
        });
    }

    [Fact]
    public void Every_truncation_of_a_valid_update_is_refused_and_changes_nothing()
    {
        var source = new ReplicatedText("source");
        source.Insert(0, "some text with ünïcödé 😀 and more");
        source.Delete(3, 4);
        source.Insert(10, "xyz");
        byte[] small = source.Replace(2, 5, "replaced");
        byte[] state = source.EncodeState();
        var large = new ReplicatedText("large");
        for (int i = 0; i < 200; i++)
        {
            large.Insert(i * 3 % (large.Length + 1), "abc def ");
        }

        large.Delete(10, 300);
        byte[] compressed = large.EncodeState();
        Assert.Equal(1, compressed[1]); // large enough to be compressed

        foreach (byte[] update in new[] { small, state, compressed })
        {
            for (int length = 0; length < update.Length; length++)
            {
                var text = Sample();
                byte[] before = text.EncodeState();

                Assert.False(text.TryApplyUpdate(update.AsSpan(0, length), out string? error), $"A prefix of {length} bytes was accepted.");
                Assert.NotNull(error);
                Assert.Throws<FormatException>(() => text.ApplyUpdate(update.AsSpan(0, length)));
                Assert.Equal(before, text.EncodeState());
            }
        }
    }

    [Fact]
    public void Flipped_bits_never_crash_and_a_refused_update_changes_nothing()
    {
        var source = new ReplicatedText("source");
        source.Insert(0, "hello world, hello text");
        source.Delete(5, 7);
        byte[] state = source.EncodeState();

        Gen.Select(Gen.Int[0, state.Length - 1], Gen.Int[0, 7]).Sample((index, bit) =>
        {
            byte[] update = (byte[])state.Clone();
            update[index] ^= (byte)(1 << bit);
            var text = Sample();
            byte[] before = text.EncodeState();
            if (!text.TryApplyUpdate(update, out _))
            {
                Assert.Equal(before, text.EncodeState());
            }

            AssertUsable(text);
        });
    }

    [Fact]
    public void Trailing_bytes_unknown_versions_and_unknown_encodings_are_refused()
    {
        byte[] valid = new ReplicatedText("r").Insert(0, "abc");

        AssertRefused([.. valid, 0]);
        AssertRefused([2, .. valid[1..]]);
        AssertRefused([valid[0], 7, .. valid[2..]]);
        AssertRefused([]);
        AssertRefused([1]);
    }

    [Fact]
    public void Huge_declared_lengths_and_counts_are_refused_without_allocating_them()
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread();

        AssertRefused([1, 1, .. VarInt(1 << 28), 2, 0x03, 0x00]);       // body of 256 MiB from 2 bytes
        AssertRefused([1, 1, .. VarInt(int.MaxValue), 2, 0x03, 0x00]);
        AssertRefused([1, 0, .. VarInt(int.MaxValue)]);                   // replica count
        AssertRefused([1, 0, 0, .. VarInt(1_000_000), 0, 0, 0]);          // group count
        AssertRefused([1, 0, 0, 1, 0, 0, .. VarInt(int.MaxValue)]);       // item count (bad replica too)
        AssertRefused([1, 0, 1, 1, (byte)'a', 1, 0, 0, .. VarInt(int.MaxValue), 0]); // item count
        AssertRefused([1, 0, 0, 0, .. VarInt(int.MaxValue), 0]);          // content length
        AssertRefused([1, 0, 1, 1, (byte)'a', 0, 0, 1, 0, .. VarInt(int.MaxValue), 1, 1]); // delete ranges
        AssertRefused([1, 0, 0, 0, 0, .. VarInt(int.MaxValue)]);          // delete groups
        AssertRefused([1, 0, 1, .. VarInt(int.MaxValue), (byte)'a']);     // replica id length

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocated < 1 << 20, "Refusing hostile lengths allocated more than 1 MiB.");
    }

    [Fact]
    public void Malformed_fields_are_refused()
    {
        // version, raw, 1 replica "a", 1 group (replica 0, clock 0, 1 item), info, length, content, no deletes
        byte[] valid = [1, 0, 1, 1, (byte)'a', 1, 0, 0, 1, 0x00, 1, 1, (byte)'x', 0];
        var text = new ReplicatedText("r");
        text.ApplyUpdate(valid);
        Assert.Equal("x", text.ToString());

        AssertRefused([1, 0, 1, 1, (byte)' ', 1, 0, 0, 1, 0x00, 1, 1, (byte)'x', 0]);        // bad replica id
        AssertRefused([1, 0, 2, 1, (byte)'a', 1, (byte)'a', 1, 0, 0, 1, 0x00, 1, 1, (byte)'x', 0]); // duplicate replica id
        AssertRefused([1, 0, 1, 1, (byte)'a', 1, 1, 0, 1, 0x00, 1, 1, (byte)'x', 0]);        // group replica out of range
        AssertRefused([1, 0, 1, 1, (byte)'a', 1, 0, 0, 0, 0x00, 1, 1, (byte)'x', 0]);        // empty group
        AssertRefused([1, 0, 1, 1, (byte)'a', 1, 0, 0, 1, 0x20, 1, 1, (byte)'x', 0]);        // reserved info bit
        AssertRefused([1, 0, 1, 1, (byte)'a', 1, 0, 0, 1, 0x03, 1, 1, (byte)'x', 0]);        // origin kind 3
        AssertRefused([1, 0, 1, 1, (byte)'a', 1, 0, 0, 1, 0x00, 0, 1, (byte)'x', 0]);        // zero length
        AssertRefused([1, 0, 1, 1, (byte)'a', 1, 0, 0, 1, 0x01, 1, 1, 1, (byte)'x', 0]);     // same-replica origin before clock 0
        AssertRefused([1, 0, 1, 1, (byte)'a', 1, 0, 0, 1, 0x02, 1, 5, 0, 1, (byte)'x', 0]);  // origin replica out of range
        AssertRefused([1, 0, 1, 1, (byte)'a', 1, 0, 0, 1, 0x00, 1, 1, 0xFF, 0]);             // invalid WTF-8
        AssertRefused([1, 0, 1, 1, (byte)'a', 1, 0, 0, 1, 0x00, 1, 2, 0xC0, 0x80, 0]);       // overlong encoding
        AssertRefused([1, 0, 1, 1, (byte)'a', 1, 0, 0, 1, 0x00, 1, 2, (byte)'x', (byte)'y', 0]); // content longer than the items
        AssertRefused([1, 0, 1, 1, (byte)'a', 1, 0, 0, 1, 0x10, 1, 1, (byte)'x', 0]);        // tombstone with content
        AssertRefused([1, 0, 1, 1, (byte)'a', 1, 0, 0x80, 0x00, 1, 0x00, 1, 1, (byte)'x', 0]); // overlong varint
        AssertRefused([1, 0, 1, 1, (byte)'a', 1, 0, .. VarInt(int.MaxValue), 1, 0x00, 1, 1, (byte)'x', 0]); // clock overflow
        AssertRefused([1, 0, 1, 1, (byte)'a', 0, 0, 1, 0, 1, 0, 0]);                         // zero-length delete
        AssertRefused([1, 0, 1, 1, (byte)'a', 0, 0, 1, 0, 1, .. VarInt(int.MaxValue), 1]);   // delete past the largest clock
        AssertRefused([1, 1, 5, 5, 0x00, 0x00, 0x00, 0x00, 0x00]);                            // not DEFLATE data
    }

    [Fact]
    public void Well_formed_but_inconsistent_updates_wait_or_apply_without_breaking_the_text()
    {
        var text = Sample();
        string visible = text.ToString();

        // A run whose left origin is itself can never be integrated: it waits.
        text.ApplyUpdate([1, 0, 1, 1, (byte)'z', 1, 0, 0, 1, 0x02, 1, 0, 0, 1, (byte)'q', 0]);
        // A run whose origins point at characters that never come: it waits.
        text.ApplyUpdate([1, 0, 1, 1, (byte)'y', 1, 0, 0, 1, 0x0A, 1, 0, 99, 0, 98, 1, (byte)'q', 0]);
        // A tombstone two billion characters long costs nothing.
        text.ApplyUpdate([1, 0, 1, 1, (byte)'w', 1, 0, 0, 1, 0x10, .. VarInt(int.MaxValue - 1), 0, 0]);
        // A deletion of every clock of a replica that has nothing here yet.
        text.ApplyUpdate([1, 0, 1, 1, (byte)'v', 0, 0, 1, 0, 1, 0, .. VarInt(int.MaxValue)]);

        Assert.Equal(visible, text.ToString());
        Assert.True(text.HasPendingUpdates);
        AssertUsable(text);
        Assert.Equal(text.ToString(), ReplicatedText.Decode(text.EncodeState(), "copy").ToString());
    }

    private static ReplicatedText Sample()
    {
        var text = new ReplicatedText("victim");
        text.Insert(0, "some text");
        text.Delete(2, 3);
        text.Insert(4, "more");
        return text;
    }

    /// <summary>The text still edits, encodes and loads after whatever was thrown at it.</summary>
    private static void AssertUsable(ReplicatedText text)
    {
        string expected = "[" + text.ToString() + "]";
        var peer = new ReplicatedText("peer");
        peer.ApplyUpdate(text.EncodeState());
        peer.ApplyUpdate(text.Insert(0, "["));
        peer.ApplyUpdate(text.Insert(text.Length, "]"));

        Assert.Equal(expected, text.ToString());
        Assert.Equal(expected, peer.ToString());
    }

    private static void AssertRefused(byte[] update)
    {
        var text = Sample();
        byte[] before = text.EncodeState();

        Assert.False(text.TryApplyUpdate(update, out string? error));
        Assert.False(string.IsNullOrEmpty(error));
        Assert.Throws<FormatException>(() => text.ApplyUpdate(update));
        Assert.Throws<FormatException>(() => ReplicatedText.Decode(update, "r"));
        Assert.Throws<FormatException>(() => ReplicatedText.MergeUpdates([update]));
        Assert.Equal(before, text.EncodeState());
    }

    private static byte[] VarInt(int value)
    {
        var bytes = new List<byte>();
        uint v = (uint)value;
        while (v >= 0x80)
        {
            bytes.Add((byte)(v | 0x80));
            v >>= 7;
        }

        bytes.Add((byte)v);
        return [.. bytes];
    }
}

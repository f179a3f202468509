using Concord.Crdt.Text;

namespace Concord.Tests.Crdt;

public sealed class ReplicatedTextTests
{
    [Fact]
    public void Inserts_at_the_start_the_middle_and_the_end()
    {
        var text = new ReplicatedText("r1");
        text.Insert(0, "ace");
        text.Insert(1, "b");
        text.Insert(3, "d");
        text.Insert(0, ">");
        text.Insert(text.Length, "<");

        Assert.Equal(">abcde<", text.ToString());
        Assert.Equal(7, text.Length);
    }

    [Fact]
    public void Deletes_at_the_start_the_middle_and_the_end()
    {
        var text = new ReplicatedText("r1");
        text.Insert(0, "0123456789");
        text.Delete(0, 2);
        text.Delete(3, 2);
        text.Delete(text.Length - 1, 1);

        Assert.Equal("23478", text.ToString());
        Assert.Equal(5, text.Length);
    }

    [Fact]
    public void A_run_split_by_later_inserts_and_deletes_keeps_every_character_in_place()
    {
        var text = new ReplicatedText("r1");
        text.Insert(0, "hello world");
        text.Insert(5, ",");
        text.Delete(1, 3);
        text.Insert(2, "LL");
        text.Delete(text.Length - 3, 2);
        text.Insert(text.Length - 1, "[x]");

        Assert.Equal("hoLL, wo[x]d", text.ToString());
        Assert.Equal("hoLL, wo[x]d", ReplicatedText.Decode(text.EncodeState(), "r2").ToString());
    }

    [Fact]
    public void Deleting_everything_and_typing_again_works()
    {
        var text = new ReplicatedText("r1");
        text.Insert(0, "abc");
        text.Delete(0, 3);
        text.Insert(0, "x");
        text.Insert(0, "w");
        text.Insert(2, "y");

        Assert.Equal("wxy", text.ToString());
    }

    [Fact]
    public void Replace_deletes_and_inserts_in_one_update()
    {
        var source = new ReplicatedText("r1");
        var copy = new ReplicatedText("r2");
        copy.ApplyUpdate(source.Insert(0, "the cat sat"));

        byte[] update = source.Replace(4, 3, "dog");
        copy.ApplyUpdate(update);

        Assert.Equal("the dog sat", source.ToString());
        Assert.Equal("the dog sat", copy.ToString());
    }

    [Fact]
    public void Empty_edits_return_updates_that_change_nothing()
    {
        var text = new ReplicatedText("r1");
        text.Insert(0, "abc");
        var other = ReplicatedText.Decode(text.EncodeState(), "r2");

        other.ApplyUpdate(text.Insert(1, ""));
        other.ApplyUpdate(text.Delete(1, 0));
        other.ApplyUpdate(text.Replace(3, 0, ""));

        Assert.Equal("abc", text.ToString());
        Assert.Equal("abc", other.ToString());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    public void Insert_outside_the_text_throws(int position)
    {
        var text = new ReplicatedText("r1");
        text.Insert(0, "abc");

        Assert.Throws<ArgumentOutOfRangeException>(() => text.Insert(position, "x"));
        Assert.Equal("abc", text.ToString());
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(4, 0)]
    [InlineData(0, 4)]
    [InlineData(2, 2)]
    [InlineData(1, -1)]
    [InlineData(3, int.MaxValue)]
    public void Delete_outside_the_text_throws(int position, int length)
    {
        var text = new ReplicatedText("r1");
        text.Insert(0, "abc");

        Assert.Throws<ArgumentOutOfRangeException>(() => text.Delete(position, length));
        Assert.Throws<ArgumentOutOfRangeException>(() => text.Replace(position, length, "x"));
        Assert.Equal("abc", text.ToString());
    }

    [Fact]
    public void Null_text_throws()
    {
        var text = new ReplicatedText("r1");

        Assert.Throws<ArgumentNullException>(() => text.Insert(0, null!));
        Assert.Throws<ArgumentNullException>(() => text.Replace(0, 0, null!));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/")]
    [InlineData("é")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345")]
    public void Invalid_replica_ids_are_refused(string replicaId)
    {
        Assert.Throws<ArgumentException>(() => new ReplicatedText(replicaId));
        Assert.Throws<ArgumentException>(() => ReplicatedText.Decode(new ReplicatedText("ok").EncodeState(), replicaId));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("A-z_0.9~")]
    [InlineData("1234567890123456789012345678901234567890123456789012345678901234")]
    public void Valid_replica_ids_are_accepted(string replicaId)
    {
        var text = new ReplicatedText(replicaId);
        text.Insert(0, "x");

        Assert.Equal(replicaId, text.ReplicaId);
        Assert.Equal("x", ReplicatedText.Decode(text.EncodeState(), "other").ToString());
    }

    [Fact]
    public void ToString_returns_the_cached_string_until_the_text_changes()
    {
        var text = new ReplicatedText("r1");
        text.Insert(0, "abc");
        string first = text.ToString();

        Assert.Same(first, text.ToString());
        text.Insert(3, "d");
        Assert.Equal("abcd", text.ToString());
        Assert.NotSame(first, text.ToString());
    }

    [Theory]
    [InlineData("alice", "bob")]
    [InlineData("bob", "alice")]
    public void Runs_typed_concurrently_at_one_place_never_interleave(string first, string second)
    {
        var one = new ReplicatedText(first);
        var two = new ReplicatedText(second);
        byte[] abc = one.Insert(0, "abc");
        byte[] xyz = two.Insert(0, "xyz");

        one.ApplyUpdate(xyz);
        two.ApplyUpdate(abc);

        Assert.Equal(one.ToString(), two.ToString());
        Assert.Contains(one.ToString(), new[] { "abcxyz", "xyzabc" });

        // The replica with the ordinally smaller id goes first.
        Assert.Equal(string.CompareOrdinal(first, second) < 0 ? "abcxyz" : "xyzabc", one.ToString());
    }

    [Fact]
    public void The_documented_example_gives_the_documented_text()
    {
        var alice = new ReplicatedText("alice");
        var bob = new ReplicatedText("bob");
        bob.ApplyUpdate(alice.Insert(0, "Hello"));
        byte[] a = alice.Insert(5, " world");
        byte[] b = bob.Insert(5, "!");
        alice.ApplyUpdate(b);
        bob.ApplyUpdate(a);

        Assert.Equal("Hello world!", alice.ToString());
        Assert.Equal("Hello world!", bob.ToString());
        Assert.Equal("Hello world!", ReplicatedText.Decode(alice.EncodeState(), "carol").ToString());
    }

    [Fact]
    public void Runs_typed_character_by_character_concurrently_never_interleave()
    {
        var one = new ReplicatedText("one");
        var two = new ReplicatedText("two");
        byte[] start = one.Insert(0, "[]");
        two.ApplyUpdate(start);

        var fromOne = new List<byte[]>();
        var fromTwo = new List<byte[]>();
        for (int i = 0; i < 30; i++)
        {
            fromOne.Add(one.Insert(1 + i, ((char)('a' + (i % 26))).ToString()));
            fromTwo.Add(two.Insert(1 + i, ((char)('A' + (i % 26))).ToString()));
        }

        // Deliver interleaved, one update at a time, both ways.
        for (int i = 0; i < 30; i++)
        {
            one.ApplyUpdate(fromTwo[i]);
            two.ApplyUpdate(fromOne[i]);
        }

        string lower = "[" + string.Concat(Enumerable.Range(0, 30).Select(i => (char)('a' + (i % 26))));
        string upper = string.Concat(Enumerable.Range(0, 30).Select(i => (char)('A' + (i % 26))));
        Assert.Equal(one.ToString(), two.ToString());
        Assert.Equal(lower + upper + "]", one.ToString());
    }

    [Fact]
    public void Runs_typed_backwards_concurrently_never_interleave()
    {
        var one = new ReplicatedText("one");
        var two = new ReplicatedText("two");
        byte[] start = one.Insert(0, "<>");
        two.ApplyUpdate(start);

        // Each replica types its word backwards: every character goes before the previous one.
        var fromOne = new List<byte[]>();
        var fromTwo = new List<byte[]>();
        foreach (char c in "fed")
        {
            fromOne.Add(one.Insert(1, c.ToString()));
        }

        foreach (char c in "ZYX")
        {
            fromTwo.Add(two.Insert(1, c.ToString()));
        }

        foreach (byte[] update in fromTwo)
        {
            one.ApplyUpdate(update);
        }

        foreach (byte[] update in Enumerable.Reverse(fromOne))
        {
            two.ApplyUpdate(update); // out of order: waits until its dependencies arrive
        }

        Assert.Equal(one.ToString(), two.ToString());
        Assert.Contains(one.ToString(), new[] { "<defXYZ>", "<XYZdef>" });
    }

    [Fact]
    public void Three_replicas_typing_at_one_place_converge_without_interleaving_in_every_delivery_order()
    {
        string[] ids = ["r-b", "r-a", "r-c"];
        string[] words = ["the quick brown fox", "jumps over", "the lazy dog!"];
        var seed = new ReplicatedText("seed");
        byte[] initial = seed.Insert(0, "<>");

        var replicas = ids.Select(id => new ReplicatedText(id)).ToArray();
        var updates = new byte[3][];
        for (int i = 0; i < 3; i++)
        {
            replicas[i].ApplyUpdate(initial);
            updates[i] = replicas[i].Insert(1, words[i]);
        }

        var results = new HashSet<string>();
        foreach (int[] order in Permutations([0, 1, 2]))
        {
            var replica = new ReplicatedText("observer");
            replica.ApplyUpdate(initial);
            foreach (int i in order)
            {
                replica.ApplyUpdate(updates[i]);
            }

            results.Add(replica.ToString());
        }

        string result = Assert.Single(results);

        // Replica ids order the runs: r-a, r-b, r-c.
        Assert.Equal("<" + words[1] + words[0] + words[2] + ">", result);
    }

    [Fact]
    public void Concurrent_insert_and_delete_of_the_surrounding_text_converge()
    {
        var one = new ReplicatedText("one");
        var two = new ReplicatedText("two");
        two.ApplyUpdate(one.Insert(0, "hello world"));

        byte[] delete = one.Delete(2, 7);       // "held"
        byte[] insert = two.Insert(5, ", big"); // "hello, big world"
        one.ApplyUpdate(insert);
        two.ApplyUpdate(delete);

        Assert.Equal("he, bigld", one.ToString());
        Assert.Equal(one.ToString(), two.ToString());
    }

    [Fact]
    public void Applying_an_update_twice_changes_nothing()
    {
        var one = new ReplicatedText("one");
        var two = new ReplicatedText("two");
        byte[] a = one.Insert(0, "abc");
        byte[] b = one.Delete(1, 1);

        two.ApplyUpdate(a);
        two.ApplyUpdate(b);
        two.ApplyUpdate(a);
        two.ApplyUpdate(b);
        two.ApplyUpdate(one.EncodeState());

        Assert.Equal("ac", two.ToString());
    }

    [Fact]
    public void A_state_deletes_text_its_replica_saw_deleted_even_where_that_text_is_already_present()
    {
        var one = new ReplicatedText("one");
        var two = new ReplicatedText("two");
        two.ApplyUpdate(one.Insert(0, "abc"));
        one.Delete(1, 1);

        two.ApplyUpdate(one.EncodeState());

        Assert.Equal("ac", two.ToString());
    }

    [Fact]
    public void An_update_whose_dependencies_are_missing_waits_until_they_arrive()
    {
        var one = new ReplicatedText("one");
        var two = new ReplicatedText("two");
        byte[] first = one.Insert(0, "abc");
        byte[] second = one.Insert(1, "XY");
        byte[] third = one.Delete(0, 2);

        two.ApplyUpdate(third);
        two.ApplyUpdate(second);
        Assert.Equal("", two.ToString());
        Assert.True(two.HasPendingUpdates);

        two.ApplyUpdate(first);
        Assert.Equal("Ybc", two.ToString());
        Assert.Equal(one.ToString(), two.ToString());
        Assert.False(two.HasPendingUpdates);
    }

    [Fact]
    public void A_long_chain_of_dependencies_across_many_replicas_delivered_backwards_integrates()
    {
        // Each replica types after the previous one's character, so every update depends on the one before.
        var updates = new List<byte[]>();
        var expected = new System.Text.StringBuilder();
        var writer = new ReplicatedText("r0");
        for (int i = 0; i < 300; i++)
        {
            var next = ReplicatedText.Decode(writer.EncodeState(), $"r{i + 1}");
            char c = (char)('a' + (i % 26));
            updates.Add(next.Insert(next.Length, c.ToString()));
            expected.Append(c);
            writer = next;
        }

        var late = new ReplicatedText("late");
        for (int i = updates.Count - 1; i >= 0; i--)
        {
            late.ApplyUpdate(updates[i]);
        }

        Assert.Equal(expected.ToString(), late.ToString());
        Assert.False(late.HasPendingUpdates);
    }

    [Fact]
    public void A_state_carries_pending_updates_so_that_nothing_is_lost_in_transit()
    {
        var one = new ReplicatedText("one");
        byte[] first = one.Insert(0, "abc");
        byte[] second = one.Insert(3, "def");
        byte[] third = one.Delete(0, 1);

        var relay = new ReplicatedText("relay");
        relay.ApplyUpdate(second);
        relay.ApplyUpdate(third);
        var late = new ReplicatedText("late");
        late.ApplyUpdate(relay.EncodeState());
        late.ApplyUpdate(first);

        Assert.Equal("bcdef", late.ToString());
    }

    [Fact]
    public void Typing_one_character_into_a_long_text_makes_an_update_of_a_few_bytes()
    {
        var text = new ReplicatedText("writer-0001");
        var random = new Random(7);
        text.Insert(0, new string('x', 1000));
        for (int i = 0; i < 99; i++)
        {
            text.Insert(random.Next(text.Length + 1), new string('y', 1000));
        }

        byte[] update = text.Insert(50_000, "z");
        byte[] delete = text.Delete(20_000, 30_000);

        Assert.Equal(70_001, text.Length);
        Assert.True(update.Length < 40, $"An insert of one character took {update.Length} bytes.");
        Assert.True(delete.Length < 400, $"A delete of a range took {delete.Length} bytes.");
    }

    [Fact]
    public void Surrogate_pairs_and_lone_halves_round_trip()
    {
        var text = new ReplicatedText("r1");
        var copy = new ReplicatedText("r2");
        copy.ApplyUpdate(text.Insert(0, "a😀b€ü"));
        copy.ApplyUpdate(text.Insert(2, "|")); // between the halves of the pair
        copy.ApplyUpdate(text.Delete(1, 1));   // the high half

        string expected = "a|\uDE00b€ü";
        Assert.Equal(expected, text.ToString());
        Assert.Equal(expected, copy.ToString());
        Assert.Equal(expected, ReplicatedText.Decode(text.EncodeState(), "r3").ToString());
    }

    [Fact]
    public void A_replica_reloaded_from_its_own_state_keeps_editing_under_the_same_id()
    {
        var original = new ReplicatedText("writer");
        var peer = new ReplicatedText("peer");
        peer.ApplyUpdate(original.Insert(0, "abc"));

        var reloaded = ReplicatedText.Decode(original.EncodeState(), "writer");
        peer.ApplyUpdate(reloaded.Insert(3, "d"));
        peer.ApplyUpdate(reloaded.Delete(0, 1));

        Assert.Equal("bcd", reloaded.ToString());
        Assert.Equal("bcd", peer.ToString());
    }

    [Fact]
    public void Editing_while_updates_made_under_the_same_id_are_pending_is_refused()
    {
        var elsewhere = new ReplicatedText("shared-id");
        elsewhere.Insert(0, "abc");
        byte[] second = elsewhere.Insert(3, "d");

        var here = new ReplicatedText("shared-id");
        here.ApplyUpdate(second);

        Assert.Throws<InvalidOperationException>(() => here.Insert(0, "x"));
        Assert.Equal("", here.ToString());
    }

    [Fact]
    public void Merged_updates_apply_like_the_updates_one_by_one()
    {
        var one = new ReplicatedText("one");
        var updates = new List<byte[]>
        {
            one.Insert(0, "hello"),
            one.Insert(5, " world"),
            one.Delete(0, 1),
            one.Insert(0, "J"),
        };

        byte[] merged = ReplicatedText.MergeUpdates(updates);
        byte[] tail = ReplicatedText.MergeUpdates(updates.Skip(2));
        var two = new ReplicatedText("two");
        two.ApplyUpdate(merged);
        var three = new ReplicatedText("three");
        three.ApplyUpdate(tail);
        three.ApplyUpdate(updates[0]);
        three.ApplyUpdate(updates[1]);

        Assert.Equal("Jello world", two.ToString());
        Assert.Equal("Jello world", three.ToString());
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }

        for (int i = 0; i < items.Length; i++)
        {
            int[] rest = [.. items[..i], .. items[(i + 1)..]];
            foreach (int[] tail in Permutations(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }
}

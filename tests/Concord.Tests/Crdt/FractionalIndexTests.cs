using Concord.Crdt;
using CsCheck;

namespace Concord.Tests.Crdt;

public sealed class FractionalIndexTests
{
    [Fact]
    public void A_key_always_falls_strictly_between_its_bounds()
    {
        Gen.Select(Gen.Int[0, 2].Array[1, 200], Gen.Int).Sample((moves, seed) =>
        {
            var random = new Random(seed);
            var keys = new List<string>();
            foreach (int move in moves)
            {
                int at = keys.Count == 0 ? 0 : random.Next(keys.Count + 1);
                string? before = at > 0 ? keys[at - 1] : null;
                string? after = at < keys.Count ? keys[at] : null;
                string key = FractionalIndex.Between(before, after, move == 0 ? "alice" : move == 1 ? "bob" : "carol");
                if ((before is not null && string.CompareOrdinal(before, key) >= 0) || (after is not null && string.CompareOrdinal(key, after) >= 0) || !FractionalIndex.IsValid(key))
                {
                    return false;
                }

                keys.Insert(at, key);
            }

            return keys.Distinct().Count() == keys.Count;
        });
    }

    [Fact]
    public void Concurrent_inserts_into_the_same_gap_never_collide_and_both_stay_inside_it()
    {
        string a = FractionalIndex.Between(null, null, "alice");
        string b = FractionalIndex.Between(a, null, "alice");

        string fromAlice = FractionalIndex.Between(a, b, "alice");
        string fromBob = FractionalIndex.Between(a, b, "bob");

        Assert.NotEqual(fromAlice, fromBob);
        Assert.All([fromAlice, fromBob], k => Assert.True(string.CompareOrdinal(a, k) < 0 && string.CompareOrdinal(k, b) < 0));
    }

    [Fact]
    public void Keys_stay_short_under_ten_thousand_appends_and_ten_thousand_inserts_at_the_front()
    {
        string? last = null, first = null;
        int longest = 0;
        for (int i = 0; i < 10_000; i++)
        {
            last = FractionalIndex.Between(last, null, "r1");
            first ??= last;
            longest = Math.Max(longest, last.Length);
        }

        for (int i = 0; i < 10_000; i++)
        {
            first = FractionalIndex.Between(null, first, "r2");
            longest = Math.Max(longest, first.Length);
        }

        Assert.InRange(longest, 1, 12);
    }

    [Fact]
    public void Repeated_inserts_right_after_the_first_item_grow_slowly()
    {
        string first = FractionalIndex.Between(null, null, "r");
        string? next = FractionalIndex.Between(first, null, "r");
        for (int i = 0; i < 1000; i++)
        {
            next = FractionalIndex.Between(first, next, "r");
        }

        Assert.InRange(next!.Length, 1, 250);
    }

    [Theory]
    [InlineData(null, null, "")]
    [InlineData(null, null, "has space")]
    [InlineData("b", "a0r1", "r")]
    [InlineData("not a key", null, "r")]
    public void Bad_arguments_are_refused(string? before, string? after, string replica)
    {
        Assert.Throws<ArgumentException>(() => FractionalIndex.Between(before, after, replica));
    }
}

using Concord.Crdt;
using Concord.Records;
using CsCheck;

namespace Concord.Tests.Crdt;

/// <summary>Merge laws of the counter and set types over random operations on three or more replicas.</summary>
public sealed class CounterAndSetLawTests
{
    private static readonly string[] Replicas = ["r1", "r2", "r3", "r4"];

    /// <summary>A replica's history: each replica only ever raises its own totals.</summary>
    private static readonly Gen<(int Replica, long Delta)[]> CounterOps =
        Gen.Select(Gen.Int[0, Replicas.Length - 1], Gen.Long[-50, 50]).Array[0, 30];

    private static PositiveNegativeCounter Counter(IEnumerable<(int Replica, long Delta)> ops)
    {
        var counter = new PositiveNegativeCounter();
        foreach ((int replica, long delta) in ops)
        {
            counter.Add(Replicas[replica], delta);
        }

        return counter;
    }

    private static PositiveNegativeCounter Merged(params PositiveNegativeCounter[] counters)
    {
        var result = new PositiveNegativeCounter();
        foreach (PositiveNegativeCounter counter in counters)
        {
            result.Merge(counter);
        }

        return result;
    }

    [Fact]
    public void Counter_merge_is_commutative_associative_and_idempotent()
    {
        // Three replicas each see a prefix of one shared history, as replicas of one counter do.
        Gen.Select(CounterOps, Gen.Int[0, 30], Gen.Int[0, 30], Gen.Int[0, 30]).Sample((ops, i, j, k) =>
        {
            PositiveNegativeCounter a = Counter(ops.Take(i)), b = Counter(ops.Take(j)), c = Counter(ops.Take(k));
            bool commutative = Merged(a, b).Value == Merged(b, a).Value;
            bool associative = Merged(Merged(a, b), c).Value == Merged(a, Merged(b, c)).Value;
            bool idempotent = Merged(a, a).Value == a.Value;
            bool complete = Merged(a, b, c).Value == Counter(ops.Take(Math.Max(i, Math.Max(j, k)))).Value;
            return commutative && associative && idempotent && complete;
        });
    }

    [Fact]
    public void Counter_operations_from_many_replicas_sum_in_any_order()
    {
        Gen.Select(CounterOps, Gen.Int).Sample((ops, seed) =>
        {
            var shuffled = ((int, long)[])ops.Clone();
            new Random(seed).Shuffle(shuffled);
            var value = new CounterValue();
            foreach ((int replica, long delta) in shuffled)
            {
                value.TryApply(CrdtOperation.Count(delta), "op", Replicas[replica], out _);
            }

            return value.Value == ops.Sum(o => o.Delta);
        });
    }

    private static readonly Gen<(int Replica, bool Add, int Element)[]> SetOps =
        Gen.Select(Gen.Int[0, Replicas.Length - 1], Gen.Bool, Gen.Int[0, 5]).Array[0, 25];

    /// <summary>Replays the operations of each replica on its own copy, each replica merging others' state now and then.</summary>
    private static ObservedRemoveSet[] Run((int Replica, bool Add, int Element)[] ops, int seed)
    {
        var random = new Random(seed);
        var sets = Replicas.Select(_ => new ObservedRemoveSet()).ToArray();
        int tag = 0;
        foreach ((int replica, bool add, int element) in ops)
        {
            string value = $"\"e{element}\"";
            if (add)
            {
                sets[replica].Add(value, $"{Replicas[replica]}:{tag++}");
            }
            else
            {
                sets[replica].Remove(sets[replica].TagsOf(value));
            }

            if (random.Next(3) == 0)
            {
                sets[replica].Merge(sets[random.Next(sets.Length)]);
            }
        }

        return sets;
    }

    private static ObservedRemoveSet Merged(params ObservedRemoveSet[] sets)
    {
        var result = new ObservedRemoveSet();
        foreach (ObservedRemoveSet set in sets)
        {
            result.Merge(set);
        }

        return result;
    }

    [Fact]
    public void Set_merge_is_commutative_associative_and_idempotent_across_replicas()
    {
        Gen.Select(SetOps, Gen.Int).Sample((ops, seed) =>
        {
            ObservedRemoveSet[] s = Run(ops, seed);
            bool commutative = Merged(s[0], s[1]).SameAs(Merged(s[1], s[0]));
            bool associative = Merged(Merged(s[0], s[1]), s[2]).SameAs(Merged(s[0], Merged(s[1], s[2])));
            bool idempotent = Merged(s[3], s[3]).SameAs(s[3]);
            return commutative && associative && idempotent;
        });
    }

    [Fact]
    public void Set_add_wins_over_a_concurrent_remove()
    {
        var a = new ObservedRemoveSet();
        a.Add("\"x\"", "a:1");
        var b = a.Clone();

        a.Remove(a.TagsOf("\"x\""));
        b.Add("\"x\"", "b:1");

        Assert.True(Merged(a, b).Contains("\"x\""));
        Assert.True(Merged(b, a).Contains("\"x\""));
        Assert.Equal(["b:1"], Merged(a, b).TagsOf("\"x\""));
    }

    [Fact]
    public void Set_values_compare_by_json_text_and_show_as_a_sorted_array()
    {
        var set = new SetValue();
        set.TryApply(CrdtOperation.ChangeSet([RawJsonValue.Parse("\"b\""), RawJsonValue.Parse("1"), RawJsonValue.Parse("\"a\"")], []), "op1", "r1", out _);

        Assert.Equal("[\"a\",\"b\",1]", set.PlainValue.ToString());
    }
}

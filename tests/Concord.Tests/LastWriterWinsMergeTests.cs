using Concord.Clock;
using Concord.Merge;
using Concord.Records;
using CsCheck;
using static Concord.Testing.Changes;

namespace Concord.Tests;

public sealed class LastWriterWinsMergeTests
{
    [Fact]
    public void The_newer_write_of_a_field_wins_whatever_the_arrival_order()
    {
        RecordState one = Apply(Patch("r", new { x = "old" }, Hlc(1)), Patch("r", new { x = "new" }, Hlc(2)));
        RecordState two = Apply(Patch("r", new { x = "new" }, Hlc(2)), Patch("r", new { x = "old" }, Hlc(1)));

        Assert.Equal("\"new\"", one.Fields["x"].Value.ToString());
        Assert.True(one.SameContentAs(two));
    }

    [Fact]
    public void Delete_wins_a_tie_at_equal_hlc()
    {
        HlcTimestamp same = Hlc(5);
        RecordState state = Apply(Patch("r", new { x = 1 }, same), Delete("r", same));

        Assert.True(state.IsDeleted);
        Assert.Equal(same, state.DeletedAt);
    }

    [Fact]
    public void A_write_newer_than_the_delete_revives_the_record_with_only_its_fields()
    {
        RecordState state = Apply(Put("r", new { x = 1, y = 2 }, Hlc(1)), Delete("r", Hlc(2)), Patch("r", new { y = 3 }, Hlc(3)));

        Assert.False(state.IsDeleted);
        Assert.Equal(["y"], state.Fields.Keys);
        Assert.Equal(Hlc(2), state.Tombstone);
    }

    [Fact]
    public void A_late_patch_older_than_a_put_does_not_bring_back_a_field_the_put_removed()
    {
        RecordState state = Apply(Put("r", new { x = 1, y = 2 }, Hlc(1)), Put("r", new { x = 5 }, Hlc(3)), Patch("r", new { y = 9 }, Hlc(2)));

        Assert.Equal(["x"], state.Fields.Keys);
        Assert.Equal("5", state.Fields["x"].Value.ToString());
    }

    [Fact]
    public void A_put_with_no_fields_after_a_delete_revives_an_empty_record()
    {
        RecordState state = Apply(Put("r", new { x = 1 }, Hlc(1)), Delete("r", Hlc(2)), Put("r", new { }, Hlc(3)));

        Assert.False(state.IsDeleted);
        Assert.Empty(state.Fields);
    }

    [Fact]
    public void Two_writes_with_the_same_clock_reading_resolve_the_same_everywhere()
    {
        RecordState one = Apply(Patch("r", new { x = "a" }, Hlc(1)), Patch("r", new { x = "b" }, Hlc(1)));
        RecordState two = Apply(Patch("r", new { x = "b" }, Hlc(1)), Patch("r", new { x = "a" }, Hlc(1)));

        Assert.True(one.SameContentAs(two));
    }

    [Fact]
    public void Stored_form_round_trips_and_lists_fields_in_name_order()
    {
        RecordState state = Apply(Put("r", new { b = new[] { 1, 2 }, a = "x\"y" }, Hlc(1, "n1")), Patch("r", new { c = (string?)null }, Hlc(2, "n2")));
        byte[] fields = RecordStateJson.WriteFields(state);
        byte[] hlcs = RecordStateJson.WriteHlcs(state);

        RecordState copy = RecordStateJson.Read("todos", "r", fields, hlcs, state.Tombstone, state.Watermark, 0);

        Assert.Equal("{\"a\":\"x\\u0022y\",\"b\":[1,2],\"c\":null}", System.Text.Encoding.UTF8.GetString(fields));
        Assert.True(copy.SameContentAs(state));
    }

    // Small ranges on purpose: clock collisions, repeated fields and delete/put interleavings happen often.
    private static readonly Gen<Change> Changes =
        Gen.Select(
            Gen.Int[0, 2],
            Gen.Int[1, 12],
            Gen.Int[0, 1],
            Gen.OneOfConst("n1", "n2", "n3"),
            Gen.Select(Gen.OneOfConst("a", "b", "c"), Gen.Int[0, 9]).Array[0, 3],
            (kind, ms, counter, node, fields) =>
            {
                var values = new Dictionary<string, RawJsonValue>(StringComparer.Ordinal);
                foreach ((string name, int value) in fields)
                {
                    values[name] = RawJsonValue.Parse(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                return new Change(NextOpId(), "todos", "r", (ChangeKind)kind, values, Hlc(ms, node, counter));
            });

    [Fact]
    public void Applying_changes_in_any_order_gives_the_same_state()
    {
        Gen.Select(Changes.Array[1, 12], Gen.Int).Sample((changes, seed) =>
        {
            Change[] shuffled = (Change[])changes.Clone();
            new Random(seed).Shuffle(shuffled);
            return Apply(changes).SameContentAs(Apply(shuffled));
        });
    }

    [Fact]
    public void Applying_a_change_again_changes_nothing()
    {
        Changes.Array[1, 12].Sample(changes =>
            Apply(changes).SameContentAs(Apply([.. changes, .. changes])));
    }

    [Fact]
    public void State_merge_is_commutative_associative_and_idempotent_across_three_replicas()
    {
        Gen.Select(Changes.Array[0, 8], Changes.Array[0, 8], Changes.Array[0, 8]).Sample((x, y, z) =>
        {
            RecordState a = Apply(x), b = Apply(y), c = Apply(z);
            bool commutative = Merged(a, b).SameContentAs(Merged(b, a));
            bool associative = Merged(Merged(a, b), c).SameContentAs(Merged(a, Merged(b, c)));
            bool idempotent = Merged(a, a).SameContentAs(a);
            bool equivalent = Merged(Merged(a, b), c).SameContentAs(Apply([.. x, .. y, .. z]));
            return commutative && associative && idempotent && equivalent;
        });
    }

    [Fact]
    public void A_deleted_state_has_no_fields_and_every_live_field_is_newer_than_the_tombstone()
    {
        Changes.Array[1, 12].Sample(changes =>
        {
            RecordState s = Apply(changes);
            bool fieldsNewer = s.Fields.Values.All(f => s.Tombstone.IsEmpty || f.Hlc > s.Tombstone);
            bool deletedEmpty = !s.IsDeleted || s.Fields.Count == 0;
            return fieldsNewer && deletedEmpty;
        });
    }

    private static RecordState Apply(params Change[] changes)
    {
        var state = new RecordState("todos", "r");
        foreach (Change change in changes)
        {
            LastWriterWinsMerge.Apply(state, change);
        }

        return state;
    }

    private static RecordState Merged(RecordState a, RecordState b)
    {
        RecordState result = a.Clone();
        LastWriterWinsMerge.Merge(result, b);
        return result;
    }
}

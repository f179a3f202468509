using Concord.Clock;
using Concord.Merge;
using Concord.Records;
using static Concord.Testing.Changes;

namespace Concord.Tests;

public sealed class RecordStateTests
{
    [Fact]
    public void A_put_leaves_one_reading_shared_by_every_field()
    {
        RecordState state = Committed(new RecordState("todos", "r"), Put("r", new { x = 1, y = 2, z = 3 }, Hlc(7)), 4);

        Assert.True(state.TryGetSharedReading(out HlcTimestamp hlc, out long version));
        Assert.Equal((Hlc(7), 4L), (hlc, version));
    }

    [Fact]
    public void A_patch_of_some_fields_leaves_no_shared_reading()
    {
        RecordState state = Committed(new RecordState("todos", "r"), Put("r", new { x = 1, y = 2 }, Hlc(7)), 1);
        Committed(state, Patch("r", new { y = 5 }, Hlc(8)), 2);

        Assert.False(state.TryGetSharedReading(out _, out _));
    }

    [Fact]
    public void Fields_with_one_reading_but_different_versions_share_nothing()
    {
        HlcTimestamp same = Hlc(7);
        var state = new RecordState("todos", "r", [new("x", new FieldState(RawJsonValue.Parse("1"), same, 1)), new("y", new FieldState(RawJsonValue.Parse("2"), same, 2))], default, default, 2);

        Assert.False(state.TryGetSharedReading(out _, out _));
    }

    [Fact]
    public void A_record_without_fields_has_no_shared_reading()
    {
        RecordState state = Committed(new RecordState("todos", "r"), Delete("r", Hlc(3)), 1);

        Assert.False(state.TryGetSharedReading(out _, out _));
    }

    private static RecordState Committed(RecordState state, Change change, long version)
    {
        LastWriterWinsMerge.Apply(state, change);
        state.CommitVersion(version);
        return state;
    }
}

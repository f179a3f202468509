namespace Concord.Testing;

/// <summary>A wall clock a test sets by hand, backwards too (which FakeTimeProvider refuses): real clocks do jump back.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

using Concord.Clock;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace Concord.Tests;

public sealed class HybridLogicalClockTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Readings_follow_the_wall_clock_and_count_within_a_millisecond()
    {
        var time = new FakeTimeProvider(Start);
        var clock = new HybridLogicalClock("n1", time);

        HlcTimestamp a = clock.Now();
        HlcTimestamp b = clock.Now();
        time.Advance(TimeSpan.FromMilliseconds(5));
        HlcTimestamp c = clock.Now();

        Assert.Equal((Start.ToUnixTimeMilliseconds(), 0), (a.Milliseconds, a.Counter));
        Assert.Equal((Start.ToUnixTimeMilliseconds(), 1), (b.Milliseconds, b.Counter));
        Assert.Equal((Start.ToUnixTimeMilliseconds() + 5, 0), (c.Milliseconds, c.Counter));
    }

    [Fact]
    public void Readings_never_go_backwards_when_the_wall_clock_does()
    {
        var time = new Concord.Testing.ManualClock(Start);
        var clock = new HybridLogicalClock("n1", time);
        HlcTimestamp before = clock.Now();
        time.Now = Start - TimeSpan.FromHours(1);

        HlcTimestamp after = clock.Now();

        Assert.True(after > before);
        Assert.Equal(before.Milliseconds, after.Milliseconds);
    }

    [Fact]
    public void A_counter_overflow_carries_into_the_millisecond()
    {
        var time = new FakeTimeProvider(Start);
        var clock = new HybridLogicalClock("n1", time);
        clock.Observe(new HlcTimestamp(Start.ToUnixTimeMilliseconds(), ushort.MaxValue, "n2"));

        HlcTimestamp next = clock.Now();

        Assert.Equal((Start.ToUnixTimeMilliseconds() + 1, 0), (next.Milliseconds, next.Counter));
    }

    [Fact]
    public void Receiving_a_later_reading_moves_the_clock_past_it()
    {
        var time = new FakeTimeProvider(Start);
        var clock = new HybridLogicalClock("n1", time);
        var remote = new HlcTimestamp(Start.ToUnixTimeMilliseconds() + 500, 7, "n2");

        Assert.True(clock.TryReceive(remote, out TimeSpan ahead));
        HlcTimestamp next = clock.Now();

        Assert.Equal(TimeSpan.FromMilliseconds(500), ahead);
        Assert.True(next > remote);
        Assert.Equal((remote.Milliseconds, 8), (next.Milliseconds, next.Counter));
    }

    [Fact]
    public void A_reading_further_ahead_than_the_drift_allows_is_refused_and_not_folded_in()
    {
        var time = new FakeTimeProvider(Start);
        var clock = new HybridLogicalClock("n1", time, TimeSpan.FromSeconds(30));
        var dayAhead = new HlcTimestamp(Start.ToUnixTimeMilliseconds() + 86_400_000, 0, "liar");

        Assert.False(clock.TryReceive(dayAhead, out TimeSpan ahead));
        Assert.Equal(TimeSpan.FromDays(1), ahead);
        Assert.Equal(Start.ToUnixTimeMilliseconds(), clock.Now().Milliseconds);
    }

    [Fact]
    public void Wire_form_is_fixed_width_lowercase_hex_then_the_node()
    {
        var ts = new HlcTimestamp(0x0190f3a2b4c1, 3, "node7");

        Assert.Equal("0190f3a2b4c10003-node7", ts.ToString());
        Assert.Equal(ts, HlcTimestamp.Parse("0190f3a2b4c10003-node7"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0190f3a2b4c10003")]
    [InlineData("0190f3a2b4c10003-")]
    [InlineData("0190F3A2B4C10003-node")]
    [InlineData("0190f3a2b4c1003-node")]
    [InlineData("0190f3a2b4c10003_node")]
    [InlineData("0190f3a2b4c1000g-node")]
    [InlineData("0190f3a2b4c10003-no de")]
    [InlineData("+190f3a2b4c10003-node")]
    public void Malformed_wire_forms_do_not_parse(string text)
    {
        Assert.False(HlcTimestamp.TryParse(text, out _));
    }

    [Fact]
    public void A_node_id_longer_than_64_characters_does_not_parse()
    {
        Assert.False(HlcTimestamp.TryParse("0190f3a2b4c10003-" + new string('a', 65), out _));
    }

    private static readonly Gen<HlcTimestamp> Timestamps =
        Gen.Select(Gen.Long[0, HlcTimestamp.MaxMilliseconds], Gen.Int[0, ushort.MaxValue], Gen.String[Gen.Char["ab-_.~09AZ"], 1, 6], (ms, c, node) => new HlcTimestamp(ms, c, node));

    [Fact]
    public void String_order_equals_clock_order()
    {
        Gen.Select(Timestamps, Timestamps).Sample((a, b) =>
            Math.Sign(a.CompareTo(b)) == Math.Sign(string.CompareOrdinal(a.ToString(), b.ToString())));
    }

    [Fact]
    public void Clock_order_is_total_antisymmetric_and_transitive()
    {
        Gen.Select(Timestamps, Timestamps, Timestamps).Sample((a, b, c) =>
        {
            bool antisymmetric = Math.Sign(a.CompareTo(b)) == -Math.Sign(b.CompareTo(a));
            bool total = a.CompareTo(b) != 0 || a == b;
            bool transitive = !(a <= b && b <= c) || a <= c;
            return antisymmetric && total && transitive;
        });
    }

    [Fact]
    public void Formatting_then_parsing_gives_the_same_reading()
    {
        Timestamps.Sample(ts => HlcTimestamp.Parse(ts.ToString()) == ts);
    }

    [Fact]
    public async Task Concurrent_readings_on_one_clock_are_all_distinct_and_increasing_per_thread()
    {
        var clock = new HybridLogicalClock("n1", new FakeTimeProvider(Start));
        HlcTimestamp[][] perThread = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 5000).Select(_ => clock.Now()).ToArray())));

        Assert.All(perThread, readings => Assert.True(readings.Zip(readings.Skip(1)).All(p => p.First < p.Second)));
        Assert.Equal(20_000, perThread.SelectMany(r => r).Distinct().Count());
    }
}

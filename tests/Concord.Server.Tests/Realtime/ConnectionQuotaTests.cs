using Concord.Errors;
using Concord.Server.Realtime;
using Microsoft.Extensions.Options;

namespace Concord.Server.Tests.Realtime;

/// <summary>The realtime connections per user: a hard cap under contention, slots given back exactly once, nothing left behind.</summary>
public sealed class ConnectionQuotaTests
{
    private const int Max = 4;

    private readonly ConnectionQuota _quota = new(Options.Create(new ConcordServerOptions { Realtime = { MaxConnectionsPerUser = Max } }));

    [Fact]
    public void One_connection_beyond_the_limit_is_refused_with_rate_limited_and_a_slot_given_back_twice_counts_once()
    {
        List<IDisposable> slots = [.. Enumerable.Range(0, Max).Select(i => _quota.TryOpen("user:a", out SyncError? _)!)];

        IDisposable? refused = _quota.TryOpen("user:a", out SyncError? error);
        IDisposable? other = _quota.TryOpen("user:b", out _);
        slots[0].Dispose();
        slots[0].Dispose();

        Assert.Null(refused);
        Assert.Equal(SyncErrorCodes.RateLimited, error!.Code);
        Assert.Equal("maxConnectionsPerUser", error.Meta!["limit"]);
        Assert.Equal(Max, error.Meta["max"]);
        Assert.NotNull(other);
        Assert.Equal(Max - 1, _quota.OpenBy("user:a"));
    }

    [Fact]
    public async Task Slots_taken_and_given_back_on_many_threads_never_exceed_the_limit_and_leave_nothing_behind()
    {
        int[] open = new int[3], most = new int[3];

        await Parallel.ForAsync(0, 20_000, async (i, cancellationToken) =>
        {
            int user = i % open.Length;
            if (_quota.TryOpen("user:" + user, out _) is not { } slot)
            {
                return;
            }

            int now = Interlocked.Increment(ref open[user]);
            InterlockedMax(ref most[user], now);
            await Task.Yield();
            Interlocked.Decrement(ref open[user]);
            slot.Dispose();
        });

        Assert.All(most, m => Assert.InRange(m, 1, Max));
        Assert.All(Enumerable.Range(0, open.Length), user => Assert.Equal(0, _quota.OpenBy("user:" + user)));
        Assert.NotNull(_quota.TryOpen("user:0", out _));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}

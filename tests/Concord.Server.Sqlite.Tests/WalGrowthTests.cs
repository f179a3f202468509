using Concord.Server.Merging;
using Concord.Server.Sqlite;
using Concord.Testing;
using Microsoft.Extensions.Options;
using static Concord.Testing.Changes;

namespace Concord.Server.Sqlite.Tests;

/// <summary>
/// Under steady commits the write-ahead log starts over once it is long: without that it grows by every
/// commit's pages for as long as writes keep coming.
/// </summary>
public sealed class WalGrowthTests : IDisposable
{
    private static readonly LastWriterWinsMerger Lww = new();
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_log_stays_bounded_under_thousands_of_small_commits()
    {
        string path = _folder.File("wal.db");
        await using var store = new SqliteSyncStore(Options.Create(new SqliteStoreOptions { Path = path }), TimeProvider.System);
        await store.InitializeAsync();

        // About five 16 KiB pages per commit: 3,000 commits would leave a log of some 240 MB.
        const int Commits = 3000;
        for (int i = 0; i < Commits; i++)
        {
            await store.ApplyAsync("t", [Put("r" + i, new { n = i }, Hlc(i + 1))], Lww);
        }

        // SQLite starts the log over after about 1,000 frames (here the log peaks near 1,500); six thousand
        // leave room for a checkpointer slowed down by a busy machine.
        long bound = 6_000L * (16_384 + 24);
        Assert.InRange(new FileInfo(path + "-wal").Length, 0, bound);
        Assert.Equal(Commits, (await store.ReadMetadataAsync("t")).Records);
    }
}

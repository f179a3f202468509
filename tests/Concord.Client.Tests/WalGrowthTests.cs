using Concord.Testing;

namespace Concord.Client.Tests;

/// <summary>
/// Under steady local writes the write-ahead log starts over once it is long: without that it grows by
/// every write's pages for as long as the app keeps writing.
/// </summary>
public sealed class WalGrowthTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_log_stays_bounded_under_thousands_of_local_writes()
    {
        string path = _folder.File("local.db");
        await using ConcordClient client = await ConcordClient.OpenAsync(new ConcordClientOptions { DatabasePath = path });
        Collections.ConcordCollection<Todo> todos = client.Collection<Todo>("todos");

        // Four 4 KiB pages or so per write: 12,000 writes would leave a log of some 200 MB.
        const int Writes = 12_000;
        for (int i = 0; i < Writes; i++)
        {
            await todos.PutAsync("t" + i, new Todo("task " + i));
        }

        // SQLite starts the log over after about 1,000 frames (here the log peaks near 2,000); more than ten
        // thousand leave room for a checkpointer slowed down by a busy machine.
        long bound = 12_000L * (4_096 + 24);
        Assert.InRange(new FileInfo(path + "-wal").Length, 0, bound);
        Assert.Equal(Writes, await todos.Query().CountAsync());
    }
}

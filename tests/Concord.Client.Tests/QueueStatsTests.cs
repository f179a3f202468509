using Concord.Testing;

namespace Concord.Client.Tests;

/// <summary>The queue figures an app sees while it writes are the ones the outbox stores.</summary>
public sealed class QueueStatsTests : IAsyncLifetime
{
    private readonly TempDirectory _folder = new();
    private TestClients _clients = null!;

    public sealed record Post(string? Title = null, long? Likes = null);

    public Task InitializeAsync()
    {
        _clients = new TestClients(_folder);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _clients.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Queued_bytes_counted_at_each_write_equal_the_stored_sum_crdt_operations_included()
    {
        ConcordClient client = await _clients.OpenAsync("writer", server: null);
        Collections.ConcordCollection<Post> posts = client.Collection<Post>("posts");
        await posts.PutAsync("p1", new Post("hello"));
        await posts.IncrementAsync("p1", "likes", 5);
        await posts.AddToSetAsync("p1", "tags", "news", "tech");
        await posts.EditTextAsync("p1", "body", 0, 0, "Some text typed offline");
        QueueStats counted = client.QueueStats;
        await _clients.CloseAsync(client);

        // Reopening reads the figures back from the stored entries.
        ConcordClient reopened = await _clients.OpenAsync("writer", server: null);

        Assert.Equal(4, counted.Count);
        Assert.Equal(reopened.QueueStats, counted);
    }
}

using System.Collections.Concurrent;
using Concord.Client;
using Concord.Testing;

namespace Concord.Cli.Tests;

/// <summary>
/// Live queries on clients of <c>concord serve</c>: each answers at once, again after every local write, pulled page
/// or rollback that changes its result, and never after one that does not. Results come in commit order, so a
/// callback that did not come before the next expected one never will.
/// </summary>
public sealed class LiveQueryTests(ServerProcessFixture fixture) : IClassFixture<ServerProcessFixture>, IAsyncLifetime
{
    private readonly TempDirectory _folder = new();
    private TestClients _clients = null!;

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
    public async Task A_query_answers_at_once_and_after_each_write_that_changes_its_rows_only()
    {
        ConcordClient client = await _clients.OpenAsync("local", null);
        var todos = client.Collection<Todo>("todos");
        await todos.PutAsync("a", new Todo("alpha", false));
        var results = new Results<IReadOnlyList<Todo>>();
        using IDisposable live = todos.Query().Where("done", "=", false).OrderBy("title").Subscribe(results.Add);

        Assert.Equal(["alpha"], Titles(await results.NextAsync()));
        await todos.PutAsync("b", new Todo("beta", false));
        Assert.Equal(["alpha", "beta"], Titles(await results.NextAsync()));
        await todos.PutAsync("c", new Todo("gamma", true));          // outside the filter
        await client.Collection<Todo>("other").PutAsync("d", new Todo("delta", false)); // another collection
        await todos.PatchAsync("a", new { title = "alpha" });       // the same value again
        await todos.PatchAsync("b", new { done = true });           // leaves the result
        Assert.Equal(["alpha"], Titles(await results.NextAsync()));
        await todos.DeleteAsync("a");
        Assert.Empty(await results.NextAsync());

        Assert.Equal(4, results.Count);
    }

    [Fact]
    public async Task A_query_answers_after_a_pulled_page_that_changes_it()
    {
        ConcordClient writer = await _clients.OpenAsync("writer", fixture.Server.SyncUri);
        ConcordClient reader = await _clients.OpenAsync("reader", fixture.Server.SyncUri);
        await reader.SyncAsync();
        var results = new Results<IReadOnlyList<Todo>>();
        using IDisposable live = reader.Collection<Todo>("pulled").Query().OrderBy("title").Subscribe(results.Add);
        Assert.Empty(await results.NextAsync());

        await writer.Collection<Todo>("pulled").PutAsync("x", new Todo("from the server", false));
        await writer.SyncAsync();
        await writer.Collection<Todo>("elsewhere").PutAsync("y", new Todo("not here", false));
        await writer.SyncAsync();
        await reader.SyncAsync();

        Assert.Equal(["from the server"], Titles(await results.NextAsync()));
        await writer.Collection<Todo>("pulled").PatchAsync("x", new { title = "renamed" });
        await writer.SyncAsync();
        await reader.SyncAsync();
        Assert.Equal(["renamed"], Titles(await results.NextAsync()));
        Assert.Equal(3, results.Count);
    }

    [Fact]
    public async Task A_record_observer_answers_when_a_refused_change_rolls_back()
    {
        ConcordClient client = await _clients.OpenAsync("rollback", fixture.Server.SyncUri);
        var posts = client.Collection<Post>("rollback");
        await posts.PutAsync("p", new Post("kept", null));
        await client.SyncAsync();
        var results = new Results<Post?>();
        using IDisposable live = posts.Observe("p").Subscribe(results.Add);
        Assert.Equal(new Post("kept", null), await results.NextAsync());

        // The server declares no counter here: the increment shows at once, then the server refuses it and it rolls back.
        var refused = new TaskCompletionSource<ChangeRejectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ChangeRejected += (_, e) => refused.TrySetResult(e);
        await posts.IncrementAsync("p", "likes");
        Assert.Equal(new Post("kept", 1), await results.NextAsync());
        await client.SyncAsync();

        Assert.Equal("SYNC:INVALID_CHANGE", (await Wait.ForAsync(refused.Task, "the refusal")).Error.Code);
        Assert.Equal(new Post("kept", null), await results.NextAsync());
        await posts.PatchAsync("p", new { title = "after" });
        Assert.Equal(new Post("after", null), await results.NextAsync());
        Assert.Equal(4, results.Count);
    }

    [Fact]
    public async Task Observables_and_async_streams_see_the_same_results()
    {
        ConcordClient client = await _clients.OpenAsync("streams", null);
        var todos = client.Collection<Todo>("streams");
        var observed = new Results<IReadOnlyList<Todo>>();
        using IDisposable subscription = todos.Query().AsObservable().Subscribe(new Observer<IReadOnlyList<Todo>>(observed.Add));
        using var stop = new CancellationTokenSource(Wait.DefaultTimeout);
        await using IAsyncEnumerator<IReadOnlyList<Todo>> stream = todos.Query().WatchAsync().GetAsyncEnumerator(stop.Token);

        Assert.True(await stream.MoveNextAsync());
        Assert.Empty(stream.Current);
        Assert.Empty(await observed.NextAsync());
        await todos.PutAsync("s", new Todo("streamed", false));

        Assert.True(await stream.MoveNextAsync());
        Assert.Equal(["streamed"], Titles(stream.Current));
        Assert.Equal(["streamed"], Titles(await observed.NextAsync()));
    }

    [Fact]
    public async Task A_disposed_subscription_hears_nothing_more()
    {
        ConcordClient client = await _clients.OpenAsync("disposed", null);
        var todos = client.Collection<Todo>("disposed");
        var gone = new Results<IReadOnlyList<Todo>>();
        var staying = new Results<IReadOnlyList<Todo>>();
        IDisposable first = todos.Query().Subscribe(gone.Add);
        using IDisposable second = todos.Query().Subscribe(staying.Add);
        await gone.NextAsync();
        await staying.NextAsync();

        first.Dispose();
        await todos.PutAsync("z", new Todo("after", false));

        Assert.Equal(["after"], Titles(await staying.NextAsync()));
        Assert.Equal(1, gone.Count);
    }

    private static string[] Titles(IReadOnlyList<Todo> todos) => todos.Select(t => t.Title).ToArray();

    private sealed record Todo(string Title, bool Done);

    private sealed record Post(string Title, long? Likes);

    /// <summary>Results as they come, awaited one at a time with a bounded wait.</summary>
    private sealed class Results<T>
    {
        private readonly BlockingCollection<T> _arrived = [];
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Add(T result)
        {
            Interlocked.Increment(ref _count);
            _arrived.Add(result);
        }

        public async Task<T> NextAsync() =>
            await Task.Run(() => _arrived.TryTake(out T? next, Wait.DefaultTimeout) ? next : throw new TimeoutException("Timed out waiting for a live result."));
    }

    private sealed class Observer<T>(Action<T> onNext) : IObserver<T>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error) => throw error;

        public void OnNext(T value) => onNext(value);
    }
}

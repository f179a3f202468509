using System.Net.Http.Headers;
using System.Text.Json;
using Concord.Crdt;
using Concord.Crdt.Text;
using Concord.Testing;

namespace Concord.Client.Tests;

/// <summary>Counters, sets and text merged by a real server, in JSON and in CBOR.</summary>
public sealed class CrdtFieldTests : IAsyncLifetime
{
    private readonly TempDirectory _folder = new();
    private ConcordTestServer _server = null!;
    private TestClients _clients = null!;

    public sealed record Post(string? Title = null, long? Likes = null, string[]? Tags = null, string? Body = null);

    public async Task InitializeAsync()
    {
        _server = await ConcordTestServer.StartAsync(_folder.File("crdt.db"), o => o.Collection("posts", c => c.Counter("likes").Set("tags").Text("body")));
        _clients = new TestClients(_folder);
    }

    public async Task DisposeAsync()
    {
        await _clients.DisposeAsync();
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    [Theory]
    [InlineData(ProtocolEncoding.Json)]
    [InlineData(ProtocolEncoding.Cbor)]
    public async Task Two_clients_counting_offline_lose_no_increment(ProtocolEncoding encoding)
    {
        ConcordClient a = await ClientAsync("a", encoding), b = await ClientAsync("b", encoding);
        await a.Collection<Post>("posts").PutAsync("p", new Post("hello"));
        await ConvergenceTests.SyncAllAsync(a, b);

        await a.Collection<Post>("posts").IncrementAsync("p", "likes", 3);
        await b.Collection<Post>("posts").IncrementAsync("p", "likes", 4);
        await a.Collection<Post>("posts").IncrementAsync("p", "likes", -1);
        await b.Collection<Post>("posts").IncrementAsync("p", "likes");
        Assert.Equal(2, (await a.Collection<Post>("posts").GetAsync("p"))!.Likes);
        await ConvergenceTests.SyncAllAsync(a, b);

        Assert.Equal(7, (await a.Collection<Post>("posts").GetAsync("p"))!.Likes);
        Assert.Equal(7, (await b.Collection<Post>("posts").GetAsync("p"))!.Likes);
        await ConvergenceTests.AssertIdenticalAsync("posts", a, b);
    }

    [Theory]
    [InlineData(ProtocolEncoding.Json)]
    [InlineData(ProtocolEncoding.Cbor)]
    public async Task An_add_concurrent_with_a_remove_survives(ProtocolEncoding encoding)
    {
        ConcordClient a = await ClientAsync("a", encoding), b = await ClientAsync("b", encoding), c = await ClientAsync("c", encoding);
        await a.Collection<Post>("posts").AddToSetAsync("p", "tags", "news", "draft");
        await ConvergenceTests.SyncAllAsync(a, b, c);

        await a.Collection<Post>("posts").RemoveFromSetAsync("p", "tags", "draft", "news");
        await b.Collection<Post>("posts").AddToSetAsync("p", "tags", "news");
        await c.Collection<Post>("posts").AddToSetAsync("p", "tags", "tech");
        Assert.Empty((await a.Collection<Post>("posts").GetAsync("p"))!.Tags!);
        await ConvergenceTests.SyncAllAsync(a, b, c);

        Assert.Equal(["news", "tech"], (await a.Collection<Post>("posts").GetAsync("p"))!.Tags!);
        await ConvergenceTests.AssertIdenticalAsync("posts", a, b, c);
    }

    [Theory]
    [InlineData(ProtocolEncoding.Json)]
    [InlineData(ProtocolEncoding.Cbor)]
    public async Task Two_clients_typing_offline_at_the_same_place_converge_with_both_runs_intact(ProtocolEncoding encoding)
    {
        ConcordClient a = await ClientAsync("a", encoding), b = await ClientAsync("b", encoding);
        await a.Collection<Post>("posts").EditTextAsync("p", "body", 0, 0, "Hello world");
        await ConvergenceTests.SyncAllAsync(a, b);

        foreach (char ch in " brave")
        {
            int at = (await a.Collection<Post>("posts").GetAsync("p"))!.Body!.IndexOf(" world", StringComparison.Ordinal);
            await a.Collection<Post>("posts").EditTextAsync("p", "body", at, 0, ch.ToString());
        }

        foreach (char ch in " new")
        {
            int at = (await b.Collection<Post>("posts").GetAsync("p"))!.Body!.IndexOf(" world", StringComparison.Ordinal);
            await b.Collection<Post>("posts").EditTextAsync("p", "body", at, 0, ch.ToString());
        }

        await b.Collection<Post>("posts").EditTextAsync("p", "body", 0, 1, "J");
        await ConvergenceTests.SyncAllAsync(a, b);

        string body = (await a.Collection<Post>("posts").GetAsync("p"))!.Body!;
        Assert.Contains(body, new[] { "Jello brave new world", "Jello new brave world" });
        Assert.Equal(body, (await b.Collection<Post>("posts").GetAsync("p"))!.Body);
        await ConvergenceTests.AssertIdenticalAsync("posts", a, b);
    }

    [Fact]
    public async Task Crdt_operations_on_undeclared_fields_are_refused_and_roll_back()
    {
        ConcordClient a = await ClientAsync("a", ProtocolEncoding.Json);
        var rejected = new TaskCompletionSource<ChangeRejectedEventArgs>();
        a.ChangeRejected += (_, e) => rejected.TrySetResult(e);
        await a.Collection<Post>("posts").PutAsync("p", new Post("t"));
        await a.Collection<Post>("posts").IncrementAsync("p", "title");

        await a.SyncAsync();

        Assert.Equal(Errors.SyncErrorCodes.InvalidChange, (await Wait.ForAsync(rejected.Task, "the rejection")).Error.Code);
        Assert.Equal(new Post("t"), (await a.Collection<Post>("posts").GetAsync("p"))! with { Tags = null });
    }

    [Fact]
    public async Task One_character_typed_into_the_whole_editing_trace_travels_as_a_small_delta_both_ways()
    {
        // Build the document from the real trace, and hand it to the server in one update.
        var document = new ReplicatedText("tracewriter");
        foreach ((int position, int deleted, string inserted) in EditingTrace.Patches())
        {
            document.Replace(position, deleted, inserted);
        }

        using (var seed = new HttpRequestMessage(HttpMethod.Post, "api/sync/push"))
        {
            var op = new Protocol.CrdtOperationMessage { Type = "text", Update = document.EncodeState() };
            var push = new Protocol.PushRequest
            {
                ClientId = "tracewriter",
                Changes = [new Protocol.ChangeMessage { OpId = "seed", Collection = "posts", Id = "paper", Kind = "patch", Hlc = new Concord.Clock.HybridLogicalClock("tracewriter").Now().ToString(), Crdt = new Dictionary<string, Protocol.CrdtOperationMessage> { ["body"] = op } }],
            };
            seed.Content = new ByteArrayContent(new Protocol.Json.JsonProtocolCodec(new Protocol.ProtocolLimits()).EncodeToArray(push));
            seed.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            (await _server.Http.SendAsync(seed)).EnsureSuccessStatusCode();
        }

        var typistTraffic = new TrafficRecorder();
        var readerTraffic = new TrafficRecorder();
        ConcordClient typist = await _clients.OpenAsync("typist", _server.SyncUri, o => o with { HttpClient = new HttpClient(typistTraffic) });
        ConcordClient reader = await _clients.OpenAsync("reader", _server.SyncUri, o => o with { HttpClient = new HttpClient(readerTraffic) });
        await typist.SyncAsync();
        await reader.SyncAsync();
        Assert.Equal(EditingTrace.EndContent(), (await reader.Collection<Post>("posts").GetAsync("paper"))!.Body);

        typistTraffic.Clear();
        readerTraffic.Clear();
        await typist.Collection<Post>("posts").EditTextAsync("paper", "body", 1000, 0, "!");
        await typist.SyncAsync();
        await reader.SyncAsync();

        string expected = EditingTrace.EndContent().Insert(1000, "!");
        Assert.Equal(expected, (await reader.Collection<Post>("posts").GetAsync("paper"))!.Body);
        long pushed = typistTraffic.RequestBytes("push");
        long pulled = readerTraffic.ResponseBytes("pull");
        Assert.True(pushed < 1024, $"the push carried {pushed} bytes");
        Assert.True(pulled < 1024, $"the pull carried {pulled} bytes");
    }

    private Task<ConcordClient> ClientAsync(string name, ProtocolEncoding encoding) =>
        _clients.OpenAsync(name, _server.SyncUri, o => o with { Encoding = encoding });

    /// <summary>Counts the bytes of every request and answer that go through it.</summary>
    private sealed class TrafficRecorder() : DelegatingHandler(new SocketsHttpHandler())
    {
        private readonly List<(string Path, long Request, long Response)> _exchanges = [];

        public void Clear()
        {
            lock (_exchanges)
            {
                _exchanges.Clear();
            }
        }

        public long RequestBytes(string path) => Sum(path, e => e.Request);

        public long ResponseBytes(string path) => Sum(path, e => e.Response);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            long sent = request.Content is null ? 0 : (await request.Content.ReadAsByteArrayAsync(cancellationToken)).Length;
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
            byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var copy = new ByteArrayContent(body);
            foreach (var header in response.Content.Headers)
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content = copy;
            lock (_exchanges)
            {
                _exchanges.Add((request.RequestUri!.AbsolutePath, sent, body.Length));
            }

            return response;
        }

        private long Sum(string path, Func<(string Path, long Request, long Response), long> pick)
        {
            lock (_exchanges)
            {
                return _exchanges.Where(e => e.Path.EndsWith("/" + path, StringComparison.Ordinal)).Sum(pick);
            }
        }
    }
}

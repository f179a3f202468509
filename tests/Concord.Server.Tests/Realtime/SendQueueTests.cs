using System.Text;
using Concord.Server.Realtime;
using Concord.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Concord.Server.Tests.Realtime;

/// <summary>
/// A connection's send queue, over a transport whose sends finish only when the test lets them: frames wait in order,
/// pokes merge into one, and a reader that lets too much pile up is disconnected.
/// </summary>
public sealed class SendQueueTests : IAsyncDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly ServiceProvider _services;
    private readonly HeldConnection _connection;

    public SendQueueTests()
    {
        _services = new ServiceCollection()
            .AddLogging()
            .AddConcord(o => o.Realtime.MaxQueuedFrames = 3)
            .AddSqliteStore(_folder.File("queue.db"))
            .Services.BuildServiceProvider();
        _connection = new HeldConnection(_services.GetRequiredService<RealtimeContext>());
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Frames_sent_while_one_is_under_way_follow_it_in_order()
    {
        _connection.Send(Frame("a"));
        _connection.Send(Frame("b"));
        _connection.Send(Frame("c"));

        Assert.Equal(["a"], _connection.Sent);
        Assert.Equal(2, _connection.Backlog);
        await _connection.ReleaseAsync(3);
        Assert.Equal(["a", "b", "c"], _connection.Sent);
    }

    [Fact]
    public async Task Pokes_to_a_busy_connection_merge_into_one_with_the_newest_version()
    {
        _connection.Send(Frame("records"));
        _connection.Poke(5);
        _connection.Poke(7);
        _connection.Poke(6);

        Assert.Equal(0, _connection.Backlog);
        await _connection.ReleaseAsync(2);
        Assert.Equal(["records", "poke 7"], _connection.Sent);
    }

    [Fact]
    public async Task A_reader_that_lets_too_many_frames_pile_up_is_disconnected()
    {
        _connection.Send(Frame("first"));
        for (int i = 0; i < 3; i++)
        {
            Assert.True(_connection.Send(Frame($"waiting {i}")));
        }

        Assert.False(_connection.Send(Frame("one too many")));
        Assert.Equal(CloseReason.QueueFull, await Wait.ForAsync(_connection.Closed, "the connection to close"));
        Assert.True(_connection.WasAborted);
        Assert.False(_connection.Send(Frame("after")));
    }

    private static OutgoingFrame Frame(string text) => OutgoingFrame.Shared(Encoding.UTF8.GetBytes(text));

    /// <summary>A connection whose sends finish one at a time, when the test releases them.</summary>
    private sealed class HeldConnection(RealtimeContext context) : RealtimeConnection(1, "tenant", context)
    {
        private readonly SemaphoreSlim _release = new(0);
        private readonly List<string> _sent = [];

        public override string Transport => "test";

        public override FrameFormat Format => FrameFormat.Json;

        public bool WasAborted { get; private set; }

        public IReadOnlyList<string> Sent
        {
            get
            {
                lock (_sent)
                {
                    return [.. _sent];
                }
            }
        }

        /// <summary>Lets <paramref name="sends"/> sends finish, and waits until nothing is being sent.</summary>
        public async Task ReleaseAsync(int sends)
        {
            _release.Release(sends);
            await Wait.UntilAsync(() => Task.FromResult(SendStarted == 0), "the sends to go through");
        }

        protected override async ValueTask SendCoreAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
        {
            lock (_sent)
            {
                _sent.Add(Encoding.UTF8.GetString(bytes.Span));
            }

            await _release.WaitAsync(cancellationToken);
        }

        protected override OutgoingFrame EncodePoke(long version) => Frame($"poke {version}");

        protected override void Abort(CloseReason reason)
        {
            WasAborted = true;
            Finish(reason);
        }
    }
}
